pub mod activity;
pub mod create_program_form;
pub mod edit_program_form;
pub mod feedback;
pub mod live_indicator;
pub mod project_form;
pub mod rag_chip;
pub mod status_form;
