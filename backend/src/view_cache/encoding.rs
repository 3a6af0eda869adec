//! A program view's JSON, kept as segments that can be re-encoded one at a time.
//!
//! A view of 5,000 milestones and 10,000 dependencies is about 6 MB of JSON; serialising and
//! gzipping it whole took ~290 ms, and under load it changes with every read. Here the milestone
//! and dependency lists are cut into chunks of [`CHUNK`] entries, each kept as its JSON and as an
//! independently compressed deflate segment (ended by a sync flush, so it starts no back
//! reference into its neighbours and ends on a byte boundary). Segments concatenate into one
//! valid deflate stream; the gzip trailer's CRC-32 is combined from the segments' own. A change
//! to one milestone re-encodes its chunk and the small head, and a response is a copy of bytes.
//! The recent slips (up to 50 records of what each slip moved, most of the head's bytes) are a
//! window that slides by one with each slip: each record is a segment of its own, kept for as
//! long as the record stays in the window.

use bytes::Bytes;
use flate2::{Compress, Compression, FlushCompress};
use serde::Serialize;
use std::sync::{Arc, OnceLock};
use throughline_shared::view::{DependencyView, MilestoneView, ProgramView, SlipRecord};

/// Entries per chunk: small enough that one change re-encodes little, large enough that each
/// chunk compresses well on its own (~20 KB of JSON).
pub const CHUNK: usize = 32;

/// Fast over small: a chunk is compressed again whenever one of its entries changes, under write
/// load several times a second, and level 1 takes a fraction of level 6's time for a few percent
/// more bytes on ids and dates.
const LEVEL: Compression = Compression::fast();

/// Where the lists go in the head's JSON. serde writes fields in declaration order and escapes
/// every quote inside a string, so this can only be the view's own two keys.
const LISTS: &str = r#""milestones":[],"dependencies":[]"#;

/// The slips' key, after `LISTS` and the one number field between them.
const SLIPS: &str = r#","dependencies_version":"#;
const SLIPS_KEY: &str = r#","slips":[]"#;

/// One piece of the view: its JSON and that JSON deflated on its own.
#[derive(Debug)]
pub struct Segment {
    json: Vec<u8>,
    deflated: Vec<u8>,
    crc: u32,
}

impl Segment {
    fn new(json: Vec<u8>) -> Self {
        let deflated = deflate_segment(&json);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&json);
        Self {
            json,
            deflated,
            crc: crc.finalize(),
        }
    }
}

/// Raw deflate of `input` ended by a sync flush: non-final blocks, byte-aligned, no reference to
/// anything outside `input`.
fn deflate_segment(input: &[u8]) -> Vec<u8> {
    let mut compress = Compress::new(LEVEL, false);
    let mut out = Vec::with_capacity(input.len() / 3 + 64);
    loop {
        if out.capacity() - out.len() < 64 {
            out.reserve(out.capacity().max(1024));
        }
        let consumed = usize::try_from(compress.total_in()).unwrap_or(input.len());
        let rest = input.get(consumed..).unwrap_or_default();
        // Compression of an in-memory buffer fails only on a misuse of the stream; a segment
        // that could not be deflated is stored instead (still valid deflate).
        if compress
            .compress_vec(rest, &mut out, FlushCompress::Sync)
            .is_err()
        {
            return stored(input);
        }
        let done = usize::try_from(compress.total_in()).is_ok_and(|n| n == input.len());
        // zlib's rule: a flush is complete when it left output space unused.
        if done && out.len() < out.capacity() {
            return out;
        }
    }
}

/// `input` as non-final stored deflate blocks (the fallback that cannot fail).
fn stored(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 65_535 * 5 + 10);
    for block in input.chunks(65_535) {
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.push(0); // BFINAL = 0, BTYPE = 00 (stored), padded to the byte
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out
}

/// A chunk of a list: its entries as encoded (to tell whether they changed) and their segment.
#[derive(Debug)]
struct Chunk<T> {
    entries: Vec<T>,
    segment: Segment,
}

/// A view's JSON as segments, in output order.
#[derive(Debug)]
pub struct Encoded {
    /// The view without its lists, cut where they go: before the milestones, between milestones
    /// and dependencies, between dependencies and slips, after the slips (or the whole view as one
    /// segment, with the lists empty, should it ever not split).
    head: Vec<Segment>,
    milestones: Vec<Arc<Chunk<MilestoneView>>>,
    dependencies: Vec<Arc<Chunk<DependencyView>>>,
    slips: Vec<Arc<Chunk<SlipRecord>>>,
    identity: OnceLock<Bytes>,
    gzip: OnceLock<Bytes>,
}

/// A chunk kept from the previous encoding, or a changed one's entries and JSON, not yet deflated.
enum Piece<T> {
    Kept(Arc<Chunk<T>>),
    Changed(Vec<T>, Vec<u8>),
}

impl<T> Piece<T> {
    fn compress(self) -> Arc<Chunk<T>> {
        match self {
            Piece::Kept(chunk) => chunk,
            Piece::Changed(entries, json) => Arc::new(Chunk {
                entries,
                segment: Segment::new(json),
            }),
        }
    }
}

/// What changed since the previous encoding, as JSON: taken while the view is locked, which
/// costs a comparison of entries and the serialisation of what changed, never a copy of the view.
pub struct Prepared {
    head: Vec<Vec<u8>>,
    milestones: Vec<Piece<MilestoneView>>,
    dependencies: Vec<Piece<DependencyView>>,
    slips: Vec<Piece<SlipRecord>>,
}

impl Prepared {
    /// Deflates the changed pieces (done outside the view's lock: it is the slow part).
    pub fn compress(self) -> Encoded {
        Encoded {
            head: self.head.into_iter().map(Segment::new).collect(),
            milestones: self.milestones.into_iter().map(Piece::compress).collect(),
            dependencies: self.dependencies.into_iter().map(Piece::compress).collect(),
            slips: self.slips.into_iter().map(Piece::compress).collect(),
            identity: OnceLock::new(),
            gzip: OnceLock::new(),
        }
    }
}

/// Which of the view's two long lists may differ from the previous encoding's. Comparing every
/// entry of an untouched list is most of an encoding's cost (9,500 dependencies: ~3 ms under
/// load), and the fold knows which lists an event can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Touched {
    pub milestones: bool,
    pub dependencies: bool,
}

impl Touched {
    pub const ALL: Self = Self {
        milestones: true,
        dependencies: true,
    };
    pub const NONE: Self = Self {
        milestones: false,
        dependencies: false,
    };
}

impl Encoded {
    /// Encodes `view` in full.
    pub fn new(view: &mut ProgramView) -> Self {
        Self::prepare(view, None, Touched::ALL).compress()
    }

    /// `view`'s JSON, reusing the chunks of `previous` whose entries are unchanged. `touched`
    /// says which lists may have changed since `previous` was made: an untouched one is kept
    /// whole without comparing its entries.
    pub fn prepare(
        view: &mut ProgramView,
        previous: Option<&Encoded>,
        touched: Touched,
    ) -> Prepared {
        let milestones = match previous {
            Some(p) if !touched.milestones => kept(&p.milestones),
            _ => pieces(&view.milestones, previous.map(|e| e.milestones.as_slice())),
        };
        let dependencies = match previous {
            Some(p) if !touched.dependencies => kept(&p.dependencies),
            _ => pieces(
                &view.dependencies,
                previous.map(|e| e.dependencies.as_slice()),
            ),
        };
        let slips = slip_pieces(&view.slips, previous.map(|e| e.slips.as_slice()));
        // The head: the view with its long lists left out for a moment.
        let taken = (
            std::mem::take(&mut view.milestones),
            std::mem::take(&mut view.dependencies),
            std::mem::take(&mut view.slips),
        );
        let head = to_json(view);
        (view.milestones, view.dependencies, view.slips) = taken;
        match split_head(&head) {
            Some(parts) => Prepared {
                head: parts.iter().map(|p| p.to_vec()).collect(),
                milestones,
                dependencies,
                slips,
            },
            // Not reachable with serde's field order; if it ever were, the whole view is one
            // segment: slower, still right.
            None => Prepared {
                head: vec![to_json(view)],
                milestones: Vec::new(),
                dependencies: Vec::new(),
                slips: Vec::new(),
            },
        }
    }

    fn in_order(&self) -> impl Iterator<Item = &Segment> {
        let head = |k: usize| self.head.get(k).into_iter();
        head(0)
            .chain(self.milestones.iter().map(|c| &c.segment))
            .chain(head(1))
            .chain(self.dependencies.iter().map(|c| &c.segment))
            .chain(head(2))
            .chain(self.slips.iter().map(|c| &c.segment))
            .chain(head(3))
    }

    /// The view as JSON.
    pub fn identity(&self) -> Bytes {
        self.identity
            .get_or_init(|| {
                let len = self.in_order().map(|s| s.json.len()).sum();
                let mut out = Vec::with_capacity(len);
                for segment in self.in_order() {
                    out.extend_from_slice(&segment.json);
                }
                Bytes::from(out)
            })
            .clone()
    }

    /// The view as a gzip member (RFC 1952): header, the segments' deflate, an empty final
    /// block, and the CRC-32 and length of the whole JSON.
    pub fn gzip(&self) -> Bytes {
        self.gzip
            .get_or_init(|| {
                let len = self.in_order().map(|s| s.deflated.len()).sum::<usize>() + 20;
                let mut out = Vec::with_capacity(len);
                // Magic, deflate, no flags, no mtime, no extra flags, unknown OS.
                out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
                let mut crc = crc32fast::Hasher::new();
                let mut total: u64 = 0;
                for segment in self.in_order() {
                    out.extend_from_slice(&segment.deflated);
                    let json_len = segment.json.len() as u64;
                    crc.combine(&crc32fast::Hasher::new_with_initial_len(
                        segment.crc,
                        json_len,
                    ));
                    total += json_len;
                }
                // An empty final block with fixed codes: BFINAL 1, BTYPE 01, end-of-block.
                out.extend_from_slice(&[0x03, 0x00]);
                out.extend_from_slice(&crc.finalize().to_le_bytes());
                // ISIZE is the length modulo 2^32 by definition.
                out.extend_from_slice(&(total as u32).to_le_bytes());
                Bytes::from(out)
            })
            .clone()
    }

    /// Bytes held (for the cache's budget): the JSON, the entries kept for comparison (about
    /// as large) and the deflated segments.
    pub fn weight(&self) -> usize {
        self.in_order()
            .map(|s| 2 * s.json.len() + s.deflated.len())
            .sum()
    }
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serialising plain data into a Vec cannot fail (no map with non-string keys in a view).
    serde_json::to_vec(value).unwrap_or_default()
}

/// The head's JSON (lists empty) cut where the lists go: `[prefix, between, middle, suffix]`.
/// serde writes fields in declaration order and escapes every quote inside a string, so the
/// markers can only be the view's own keys; `None` if they are not where expected.
fn split_head(head: &[u8]) -> Option<[&[u8]; 4]> {
    let text = std::str::from_utf8(head).ok()?;
    let at = text.find(LISTS)?;
    let open = at + r#""milestones":["#.len();
    let between = open + "],\"dependencies\":[".len();
    let lists_end = at + LISTS.len();
    // `,"dependencies_version":<digits>,"slips":[]` follows at once.
    let rest = text.get(lists_end..)?.strip_prefix(SLIPS)?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let slips_at = lists_end + SLIPS.len() + digits;
    if !text.get(slips_at..)?.starts_with(SLIPS_KEY) {
        return None;
    }
    let slips_open = slips_at + SLIPS_KEY.len() - 1;
    Some([
        head.get(..open)?,
        head.get(open..between)?,
        head.get(lists_end - 1..slips_open)?,
        head.get(slips_open..)?,
    ])
}

/// Each slip record as a segment of its own (after the first, starting with its comma), kept from
/// `previous` wherever the same record sits with the same comma: the window slides, so a record
/// is found by what it is, not by where it was.
fn slip_pieces(
    items: &[SlipRecord],
    previous: Option<&[Arc<Chunk<SlipRecord>>]>,
) -> Vec<Piece<SlipRecord>> {
    items
        .iter()
        .enumerate()
        .map(|(i, slip)| {
            let comma = i > 0;
            let kept = previous.into_iter().flatten().find(|c| {
                c.entries.as_slice() == std::slice::from_ref(slip)
                    && c.segment.json.first().is_some_and(|b| *b == b',') == comma
            });
            match kept {
                Some(kept) => Piece::Kept(kept.clone()),
                None => {
                    let mut json = Vec::with_capacity(2_048);
                    if comma {
                        json.push(b',');
                    }
                    json.extend_from_slice(&to_json(slip));
                    Piece::Changed(vec![slip.clone()], json)
                }
            }
        })
        .collect()
}

fn kept<T>(chunks: &[Arc<Chunk<T>>]) -> Vec<Piece<T>> {
    chunks.iter().map(|c| Piece::Kept(c.clone())).collect()
}

/// `items` as chunks of [`CHUNK`] entries (every chunk after the first starting with the comma
/// that separates it from the one before), keeping `previous` chunks whose entries are equal.
fn pieces<T: Serialize + PartialEq + Clone>(
    items: &[T],
    previous: Option<&[Arc<Chunk<T>>]>,
) -> Vec<Piece<T>> {
    items
        .chunks(CHUNK)
        .enumerate()
        .map(|(k, chunk)| match previous.and_then(|p| p.get(k)) {
            Some(kept) if kept.entries == chunk => Piece::Kept(kept.clone()),
            _ => {
                let mut json = Vec::with_capacity(chunk.len() * 400);
                for (i, item) in chunk.iter().enumerate() {
                    if k > 0 || i > 0 {
                        json.push(b',');
                    }
                    json.extend_from_slice(&to_json(item));
                }
                Piece::Changed(chunk.to_vec(), json)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;
    use throughline_shared::dependency::DependencyState;
    use throughline_shared::ids::{DependencyId, MilestoneId, ProgramId, ProjectId};
    use throughline_shared::milestone::MilestoneKind;
    use throughline_shared::schedule::DependencyType;
    use uuid::Uuid;

    fn milestone(i: usize) -> MilestoneView {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
            + chrono::Duration::days(i as i64 % 300);
        MilestoneView {
            milestone_id: MilestoneId::from_uuid(Uuid::new_v4()),
            project_id: ProjectId::from_uuid(Uuid::new_v4()),
            name: format!("Milestone \"{i}\" \u{e9}"),
            kind: MilestoneKind::Milestone,
            owner: format!("Owner {}", i % 7),
            planned: day,
            planned_start: None,
            forecast: day,
            forecast_start: None,
            baseline: Some(day),
            actual: None,
            version: 1,
            percent_complete: 0,
            actual_start: None,
            external_ref: None,
        }
    }

    fn view(milestones: usize) -> ProgramView {
        let mut view = ProgramView::new(ProgramId::from_uuid(Uuid::new_v4()));
        view.name = r#"A "milestones":[],"dependencies":[] name"#.into();
        view.milestones = (0..milestones).map(milestone).collect();
        view.dependencies = view
            .milestones
            .windows(2)
            .map(|pair| DependencyView {
                dependency_id: DependencyId::from_uuid(Uuid::new_v4()),
                provider: pair[0].milestone_id,
                provider_project: pair[0].project_id,
                consumer: pair[1].milestone_id,
                consumer_project: pair[1].project_id,
                kind: DependencyType::FinishToStart,
                lag_days: 0,
                need_by: None,
                provider_owner: "P".into(),
                consumer_owner: "C".into(),
                description: String::new(),
                state: DependencyState::Agreed,
                proposed_at: chrono::Utc::now(),
                closed_reason: None,
                version: 1,
            })
            .collect();
        view.slips = (0..milestones.min(4) as i64).map(slip).collect();
        view
    }

    fn slip(position: i64) -> SlipRecord {
        let day = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        SlipRecord {
            position,
            recorded_at: chrono::Utc::now(),
            actor: r#"a "slips":[] actor"#.into(),
            milestone_id: MilestoneId::from_uuid(Uuid::new_v4()),
            from: day,
            to: day + chrono::Duration::days(3),
            moved: vec![throughline_shared::schedule::Moved {
                milestone: MilestoneId::from_uuid(Uuid::new_v4()),
                project: ProjectId::from_uuid(Uuid::new_v4()),
                from: day,
                to: day + chrono::Duration::days(3),
                days: 3,
            }],
            threatened_objectives: vec![],
        }
    }

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        GzDecoder::new(bytes).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn both_encodings_are_the_views_json() {
        for n in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3] {
            let mut v = view(n);
            let encoded = Encoded::new(&mut v);
            let expected = serde_json::to_vec(&v).unwrap();
            assert_eq!(
                encoded.identity().as_ref(),
                expected.as_slice(),
                "{n} milestones"
            );
            assert_eq!(gunzip(&encoded.gzip()), expected, "{n} milestones, gzip");
        }
    }

    #[test]
    fn a_change_re_encodes_only_its_chunk() {
        let mut before = view(10 * CHUNK);
        let old = Encoded::new(&mut before);
        let mut after = before.clone();
        after.milestones[3 * CHUNK + 5].forecast += chrono::Duration::days(9);
        after.position += 1;
        after.dependencies.pop();
        let new = Encoded::prepare(&mut after, Some(&old), Touched::ALL).compress();
        fn shared<T>(a: &[Arc<Chunk<T>>], b: &[Arc<Chunk<T>>]) -> usize {
            a.iter().zip(b).filter(|(x, y)| Arc::ptr_eq(x, y)).count()
        }
        assert_eq!(shared(&old.milestones, &new.milestones), 9);
        // Only the last dependency chunk lost an entry.
        assert_eq!(
            shared(&old.dependencies, &new.dependencies),
            new.dependencies.len() - 1
        );
        let expected = serde_json::to_vec(&after).unwrap();
        assert_eq!(new.identity().as_ref(), expected.as_slice());
        assert_eq!(gunzip(&new.gzip()), expected);
    }

    #[test]
    fn slips_sliding_by_one_re_encode_the_new_record_and_the_new_first() {
        let mut before = view(2 * CHUNK);
        before.dependencies_version = 1_234;
        let old = Encoded::new(&mut before);
        assert_eq!(old.head.len(), 4, "the head is cut around the three lists");
        let mut after = before.clone();
        after.slips.remove(0);
        after.slips.push(slip(99));
        let new = Encoded::prepare(&mut after, Some(&old), Touched::ALL).compress();
        let kept = new
            .slips
            .iter()
            .filter(|c| old.slips.iter().any(|o| Arc::ptr_eq(o, c)))
            .count();
        // Of four: two kept; the new first lost its comma; the new last is new.
        assert_eq!(kept, 2);
        let expected = serde_json::to_vec(&after).unwrap();
        assert_eq!(new.identity().as_ref(), expected.as_slice());
        assert_eq!(gunzip(&new.gzip()), expected);
    }

    #[test]
    fn the_stored_fallback_is_valid_deflate() {
        let input: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let mut gz = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
        gz.extend(stored(&input));
        gz.extend([0x03, 0x00]);
        gz.extend(crc32fast::hash(&input).to_le_bytes());
        gz.extend((input.len() as u32).to_le_bytes());
        assert_eq!(gunzip(&gz), input);
    }
}
