//! Other tools' formats: MS Project XML in, iCalendar and CSV out (and CSV in).
//!
//! Parsing and writing only, pure: deciding what an imported file changes is
//! `commands::import`'s. Untrusted XML is checked for nesting depth by a flat scan before the
//! recursive parser sees it, with a node limit (`mspdi`). The calendar feed
//! (`GET /api/programs/{id}/calendar.ics`) is read by calendar apps, which cannot send headers,
//! so that one path also accepts `?token=` — a read-only API token only — in the authentication
//! middleware.

pub mod briefing_md;
pub mod briefing_pdf;
pub mod csv_io;
pub mod ical;
pub mod mspdi;
pub mod raid_csv;
