pub mod account;
pub mod login;
pub mod members;
pub mod not_found;
pub mod program;
pub mod program_list;
pub mod users;
