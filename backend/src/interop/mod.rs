//! Other tools' formats: MS Project XML in, iCalendar and CSV out (and CSV in).

pub mod csv_io;
pub mod ical;
pub mod mspdi;
