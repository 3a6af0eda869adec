//! A published briefing as Markdown: every sentence with links to the events it rests on, and
//! the hash that ties the whole to its event. Every text from the log is escaped, so a name or a
//! narrative can neither inject HTML into a renderer nor turn into a heading, list or link.

use chrono::{DateTime, Utc};
use std::fmt::Write;
use throughline_shared::briefing::{BriefingContent, PublishedBriefing};

/// Where a link goes: the program as it stood right after an event (`base` is the server's
/// origin, e.g. `https://throughline.example.com`).
pub struct Links<'a> {
    pub base: &'a str,
}

impl Links<'_> {
    fn event(&self, program: &str, position: i64) -> String {
        format!("{}/programs/{program}?as_of={position}", self.base)
    }
}

/// Escapes Markdown's punctuation and folds line breaks, for text inside a line; a start that
/// would open a list, a rule or a numbered item (`-`, `+`, `1.`) is escaped too.
pub fn escape(text: &str) -> String {
    let text = text.trim_start();
    let mut out = String::with_capacity(text.len() + 8);
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    if text.starts_with(['-', '+', '=']) {
        out.push('\\');
    } else if digits > 0 && text[digits..].starts_with(['.', ')']) {
        out.push_str(&text[..digits]);
        out.push('\\');
        return out + &escape_inline(&text[digits..]);
    }
    out + &escape_inline(text)
}

fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '!' | '{' | '}' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%-d %b %Y %H:%M UTC").to_string()
}

pub fn markdown(
    briefing: &PublishedBriefing,
    content: &BriefingContent,
    links: &Links<'_>,
) -> String {
    let doc = &content.document;
    let program = doc.program_id.to_string();
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# {} — executive briefing {}\n",
        escape(&doc.program_name),
        briefing.number
    );
    let _ = writeln!(
        md,
        "As of **{}** (log position {}) · sponsor {} · overall **{}**  ",
        doc.as_of_day.format("%-d %b %Y"),
        doc.as_of,
        escape(&doc.sponsor),
        doc.overall.map_or("not reported", |r| r.label())
    );
    let _ = writeln!(
        md,
        "Published {} by {}. Content SHA-256 `{}`\n",
        stamp(briefing.published_at),
        escape(&briefing.published_by),
        briefing.content_hash
    );
    if !content.highlights.is_empty() {
        md.push_str("## Highlights\n\n");
        for h in &content.highlights {
            let _ = writeln!(md, "- {}", escape(h));
        }
        md.push('\n');
    }
    md.push_str("## From the program manager\n\n");
    for paragraph in content.narrative.split("\n\n") {
        let paragraph = paragraph.trim();
        if !paragraph.is_empty() {
            let _ = writeln!(md, "{}\n", escape(paragraph));
        }
    }
    for section in &doc.sections {
        let _ = writeln!(md, "## {}\n", escape(&section.title));
        if section.facts.is_empty() {
            md.push_str("_Nothing to report._\n\n");
            continue;
        }
        for fact in &section.facts {
            let rag = fact
                .rag
                .map(|r| format!("**{}** · ", r.label()))
                .unwrap_or_default();
            let evidence: Vec<String> = fact
                .evidence
                .iter()
                .map(|p| format!("[#{p}]({})", links.event(&program, *p)))
                .collect();
            let _ = write!(md, "- {rag}{}", escape(&fact.text));
            if !evidence.is_empty() {
                let _ = write!(md, " ({})", evidence.join(", "));
            }
            md.push('\n');
        }
        md.push('\n');
    }
    let _ = writeln!(
        md,
        "---\n\nThis briefing is event {} of the program's hash-chained log. To check it, hash \
         this briefing's content (canonical JSON, from `GET /api/programs/{program}/briefings/{}`) \
         with SHA-256 and compare with the hash above, or ask the server: `GET \
         /api/programs/{program}/briefings/{}/verify`.",
        briefing.position, briefing.number, briefing.number
    );
    md
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn a_paragraph_cannot_open_a_list_or_a_rule() {
        assert_eq!(escape("- not a list"), "\\- not a list");
        assert_eq!(escape("---"), "\\---");
        assert_eq!(escape("12. not numbered"), "12\\. not numbered");
        assert_eq!(escape("2027 plan"), "2027 plan");
    }

    #[test]
    fn text_from_the_log_cannot_become_markup() {
        assert_eq!(
            escape("# <script>alert(1)</script> [x](javascript:y)\n* z"),
            "\\# \\<script\\>alert(1)\\</script\\> \\[x\\](javascript:y) \\* z"
        );
    }
}
