pub mod not_found;
pub mod program;
pub mod program_list;
