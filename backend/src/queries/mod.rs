//! Read models assembled on request, for the routes and for the demo seed alike: the governance
//! view (folded from the program's governance streams on every read), a forum's agenda, and the
//! program's view.

pub mod agenda;
pub mod governance;
pub mod program;
