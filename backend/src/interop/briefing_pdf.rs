//! A published briefing as a PDF (A4): title block, highlights, the program manager's words, a
//! timeline picture (one lane per project, old dates ghosted with an arrow to the new), then every
//! section's sentences with their health and the events they rest on, and the content's hash.
//!
//! Text is set in the standard Helvetica faces, which every PDF reader has, so no font is
//! embedded; they cover Latin-1 and WinAnsi's punctuation, and other characters print as `?`.

use chrono::{Datelike, NaiveDate};
use pdf_writer::{Content, Name, Pdf, Rect, Ref, Str, TextStr};
use throughline_shared::Rag;
use throughline_shared::briefing::{BriefingContent, BriefingDocument, PublishedBriefing};

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 50.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Helvetica's advance widths (per 1000 em) for ASCII 32..=126, from its AFM metrics.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// A character in WinAnsiEncoding (what the standard fonts are set with here).
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‚' => 0x82,
        '„' => 0x84,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '™' => 0x99,
        'Œ' => 0x8c,
        'œ' => 0x9c,
        'Š' => 0x8a,
        'š' => 0x9a,
        'Ž' => 0x8e,
        'ž' => 0x9e,
        'Ÿ' => 0x9f,
        _ => b'?',
    }
}

/// Text as WinAnsi bytes; arrows (not in the encoding) become "->".
fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '→' => out.extend_from_slice(b"->"),
            '\r' | '\n' | '\t' => out.push(b' '),
            c if c.is_control() => {}
            c => out.push(win_ansi(c)),
        }
    }
    out
}

fn width(bytes: &[u8], size: f32, bold: bool) -> f32 {
    let units: u32 = bytes.iter().map(|b| byte_width(*b)).sum();
    // Helvetica-Bold runs about 6% wider; headings are short, so a margin is enough.
    units as f32 / 1000.0 * size * if bold { 1.06 } else { 1.0 }
}

fn byte_width(b: u8) -> u32 {
    match b {
        32..=126 => HELVETICA
            .get(usize::from(b - 32))
            .map_or(556, |w| u32::from(*w)),
        0x85 | 0x97 | 0x89 => 1000,
        0x91..=0x94 => 333,
        0x95 => 350,
        _ => 556,
    }
}

/// Breaks `text` into lines no wider than `max` points, in one pass: at spaces, and a word wider
/// than a line is cut where it reaches the edge (text without spaces, like Chinese, too).
fn wrap(text: &str, size: f32, bold: bool, max: f32) -> Vec<Vec<u8>> {
    let scale = size / 1000.0 * if bold { 1.06 } else { 1.0 };
    let limit = (max / scale).max(1.0) as u32;
    let mut lines = Vec::new();
    let mut line: Vec<u8> = Vec::new();
    let mut line_w = 0u32;
    for word in encode(text).split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        let word_w: u32 = word.iter().map(|b| byte_width(*b)).sum();
        let space = if line.is_empty() { 0 } else { byte_width(b' ') };
        if line_w + space + word_w <= limit {
            if space > 0 {
                line.push(b' ');
            }
            line.extend_from_slice(word);
            line_w += space + word_w;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line_w = 0;
        }
        for b in word {
            let w = byte_width(*b);
            if line_w + w > limit && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
                line_w = 0;
            }
            line.push(*b);
            line_w += w;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn rag_rgb(rag: Option<Rag>) -> (f32, f32, f32) {
    match rag {
        Some(Rag::Red) => (0.76, 0.13, 0.15),
        Some(Rag::Amber) => (0.85, 0.55, 0.05),
        Some(Rag::Green) => (0.13, 0.55, 0.27),
        None => (0.55, 0.58, 0.62),
    }
}

/// Pages of content laid out top to bottom.
struct Layout {
    done: Vec<Content>,
    current: Content,
    y: f32,
}

impl Layout {
    fn new() -> Self {
        Self {
            done: Vec::new(),
            current: Content::new(),
            y: PAGE_H - MARGIN,
        }
    }

    fn page(&mut self) -> &mut Content {
        &mut self.current
    }

    /// Room for `height` points, on a new page if this one has not got it.
    fn need(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.done
                .push(std::mem::replace(&mut self.current, Content::new()));
            self.y = PAGE_H - MARGIN;
        }
    }

    fn finish(mut self) -> Vec<Content> {
        self.done.push(self.current);
        self.done
    }

    fn text_at(
        &mut self,
        x: f32,
        y: f32,
        bytes: &[u8],
        size: f32,
        bold: bool,
        rgb: (f32, f32, f32),
    ) {
        let page = self.page();
        page.set_fill_rgb(rgb.0, rgb.1, rgb.2);
        page.begin_text();
        page.set_font(if bold { BOLD } else { REGULAR }, size);
        page.next_line(x, y);
        page.show(Str(bytes));
        page.end_text();
    }

    /// A wrapped paragraph at `indent`, moving down.
    fn paragraph(&mut self, text: &str, size: f32, bold: bool, indent: f32, rgb: (f32, f32, f32)) {
        let leading = size * 1.35;
        for line in wrap(text, size, bold, TEXT_W - indent) {
            self.need(leading);
            self.y -= leading;
            let y = self.y;
            self.text_at(MARGIN + indent, y, &line, size, bold, rgb);
        }
    }

    fn gap(&mut self, points: f32) {
        self.y -= points;
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, rgb: (f32, f32, f32)) {
        let page = self.page();
        page.set_fill_rgb(rgb.0, rgb.1, rgb.2);
        page.rect(x, y, w, h);
        page.fill_nonzero();
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), width: f32, rgb: (f32, f32, f32)) {
        let page = self.page();
        page.set_stroke_rgb(rgb.0, rgb.1, rgb.2);
        page.set_line_width(width);
        page.move_to(from.0, from.1);
        page.line_to(to.0, to.1);
        page.stroke();
    }

    fn diamond(&mut self, x: f32, y: f32, r: f32, rgb: (f32, f32, f32), filled: bool) {
        let page = self.page();
        page.move_to(x, y + r);
        page.line_to(x + r, y);
        page.line_to(x, y - r);
        page.line_to(x - r, y);
        page.close_path();
        if filled {
            page.set_fill_rgb(rgb.0, rgb.1, rgb.2);
            page.fill_nonzero();
        } else {
            page.set_stroke_rgb(rgb.0, rgb.1, rgb.2);
            page.set_line_width(0.8);
            page.stroke();
        }
    }
}

const INK: (f32, f32, f32) = (0.10, 0.13, 0.18);
const MUTED: (f32, f32, f32) = (0.38, 0.42, 0.48);
const RULE: (f32, f32, f32) = (0.82, 0.85, 0.89);
const PLAN: (f32, f32, f32) = (0.16, 0.33, 0.62);

fn heading(layout: &mut Layout, title: &str) {
    // With room for a line or two under it: a heading never ends a page.
    layout.need(70.0);
    layout.gap(14.0);
    layout.paragraph(title, 13.0, true, 0.0, INK);
    layout.gap(3.0);
    let y = layout.y;
    layout.line((MARGIN, y), (PAGE_W - MARGIN, y), 0.5, RULE);
    layout.gap(2.0);
}

/// The timeline picture: a lane per project between the earliest and latest dates it shows.
fn timeline(layout: &mut Layout, doc: &BriefingDocument) {
    let Some((lo, hi)) = doc.timeline_span() else {
        return;
    };
    let (lo, hi) = (lo.min(doc.as_of_day), hi.max(doc.as_of_day));
    let lanes = doc.timeline.len() as f32;
    let lane_h = 20.0;
    let label_w = 110.0;
    let (x0, x1) = (MARGIN + label_w, PAGE_W - MARGIN - 6.0);
    let span = ((hi - lo).num_days().max(1)) as f32;
    let x_of = |d: NaiveDate| x0 + (x1 - x0) * ((d - lo).num_days() as f32 / span);
    heading(layout, "Timeline");
    layout.need(lanes * lane_h + 40.0);
    let top = layout.y - 6.0;
    let bottom = top - lanes * lane_h;
    // Month ticks along the bottom.
    let mut month = NaiveDate::from_ymd_opt(lo.year(), lo.month(), 1).unwrap_or(lo);
    let mut ticks = 0;
    while month <= hi && ticks < 40 {
        if month >= lo {
            let x = x_of(month);
            layout.line((x, top), (x, bottom), 0.3, RULE);
            let label = encode(&month.format("%b %y").to_string());
            layout.text_at(x + 2.0, bottom - 10.0, &label, 7.0, false, MUTED);
        }
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        month = next;
        ticks += 1;
    }
    for (i, lane) in doc.timeline.iter().enumerate() {
        let y = top - lane_h * (i as f32 + 0.5);
        let mut label = encode(&lane.project);
        while width(&label, 8.0, false) > label_w - 8.0 && label.len() > 1 {
            label.pop();
        }
        layout.text_at(MARGIN, y - 3.0, &label, 8.0, false, INK);
        layout.line((x0, y), (x1, y), 0.3, RULE);
        for m in &lane.milestones {
            let x = x_of(m.forecast);
            if let Some(b) = m.baseline.filter(|b| *b != m.forecast) {
                let bx = x_of(b);
                layout.line((bx, y - 5.0), (bx, y + 5.0), 0.8, MUTED);
            }
            if let Some(was) = m.was.filter(|w| *w != m.forecast) {
                let wx = x_of(was);
                layout.diamond(wx, y, 3.5, MUTED, false);
                layout.line((wx + 4.0, y + 6.0), (x - 4.0, y + 6.0), 0.7, MUTED);
                let dir = if x >= wx { -3.0 } else { 3.0 };
                layout.line((x - 4.0, y + 6.0), (x - 4.0 + dir, y + 8.0), 0.7, MUTED);
            }
            let colour = if m.met {
                rag_rgb(Some(Rag::Green))
            } else if m.critical {
                rag_rgb(Some(Rag::Red))
            } else {
                PLAN
            };
            layout.diamond(x, y, 4.0, colour, true);
        }
    }
    let today = x_of(doc.as_of_day);
    layout.line(
        (today, top + 4.0),
        (today, bottom),
        0.8,
        rag_rgb(Some(Rag::Red)),
    );
    layout.y = bottom - 14.0;
    layout.paragraph(
        "Diamonds: forecast (red on the critical path, green met). Ticks: baseline. Hollow: the \
         date before it moved since the last briefing. Red line: the briefing's day.",
        7.0,
        false,
        0.0,
        MUTED,
    );
}

pub fn pdf(briefing: &PublishedBriefing, content: &BriefingContent) -> Vec<u8> {
    let doc = &content.document;
    let mut layout = Layout::new();
    layout.paragraph(
        &format!(
            "{} — executive briefing {}",
            doc.program_name, briefing.number
        ),
        18.0,
        true,
        0.0,
        INK,
    );
    layout.gap(4.0);
    layout.paragraph(
        &format!(
            "As of {} (log position {}) · sponsor {} · published {} by {}",
            doc.as_of_day.format("%-d %b %Y"),
            doc.as_of,
            doc.sponsor,
            briefing.published_at.format("%-d %b %Y %H:%M UTC"),
            briefing.published_by
        ),
        9.0,
        false,
        0.0,
        MUTED,
    );
    layout.gap(8.0);
    layout.need(26.0);
    let y = layout.y - 22.0;
    layout.rect(MARGIN, y, 150.0, 20.0, rag_rgb(doc.overall));
    let label = encode(&format!(
        "Overall: {}",
        doc.overall.map_or("not reported", |r| r.label())
    ));
    layout.text_at(MARGIN + 8.0, y + 6.0, &label, 11.0, true, (1.0, 1.0, 1.0));
    layout.y = y - 4.0;
    if !content.highlights.is_empty() {
        heading(&mut layout, "Highlights");
        for h in &content.highlights {
            layout.paragraph(&format!("• {h}"), 10.5, false, 0.0, INK);
        }
    }
    heading(&mut layout, "From the program manager");
    for paragraph in content.narrative.split("\n\n") {
        layout.paragraph(paragraph, 10.0, false, 0.0, INK);
        layout.gap(4.0);
    }
    timeline(&mut layout, doc);
    for section in &doc.sections {
        heading(&mut layout, &section.title);
        if section.facts.is_empty() {
            layout.paragraph("Nothing to report.", 9.5, false, 0.0, MUTED);
        }
        for fact in &section.facts {
            layout.need(16.0);
            let y = layout.y - 10.0;
            layout.rect(MARGIN, y, 6.0, 6.0, rag_rgb(fact.rag));
            layout.paragraph(&fact.text, 9.5, false, 12.0, INK);
            if !fact.evidence.is_empty() {
                let events: Vec<String> = fact.evidence.iter().map(|p| format!("#{p}")).collect();
                layout.paragraph(
                    &format!("Events {}", events.join(" ")),
                    7.0,
                    false,
                    12.0,
                    MUTED,
                );
            }
            layout.gap(2.0);
        }
    }
    layout.gap(10.0);
    layout.paragraph(
        &format!(
            "Event {} of the program's hash-chained log. Content SHA-256 {}. Check it: GET \
             /api/programs/{}/briefings/{}/verify",
            briefing.position, briefing.content_hash, doc.program_id, briefing.number
        ),
        7.5,
        false,
        0.0,
        MUTED,
    );
    write(
        layout.finish(),
        &format!("{} — briefing {}", doc.program_name, briefing.number),
    )
}

fn write(pages: Vec<Content>, title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first = 6;
    let count = pages.len() as i32;
    let page_ids: Vec<Ref> = (0..count).map(|i| Ref::new(first + 2 * i)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(count);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Throughline"));
    for (i, content) in pages.into_iter().enumerate() {
        let id = Ref::new(first + 2 * i as i32);
        let contents = Ref::new(first + 2 * i as i32 + 1);
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(contents);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        drop(page);
        pdf.stream(contents, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::{encode, wrap};

    #[test]
    fn text_wraps_within_the_line_and_unknown_characters_print_as_a_question_mark() {
        let lines = wrap(&"word ".repeat(200), 10.0, false, 100.0);
        assert!(lines.len() > 10 && lines.iter().all(|l| super::width(l, 10.0, false) <= 100.0));
        let long = wrap(&"x".repeat(500), 10.0, false, 100.0);
        assert!(long.iter().all(|l| super::width(l, 10.0, false) <= 100.0));
        let late = wrap(&format!("a {}", "y".repeat(500)), 10.0, false, 100.0);
        assert!(late.iter().all(|l| super::width(l, 10.0, false) <= 100.0));
        assert_eq!(late.iter().map(Vec::len).sum::<usize>(), 501);
        // One pass: a 10,000-character run without spaces is cut at once.
        assert!(wrap(&"漢".repeat(10_000), 10.0, false, 495.0).len() > 100);
        assert_eq!(encode("A → B “ok” 漢"), b"A -> B \x93ok\x94 ?".to_vec());
    }
}
