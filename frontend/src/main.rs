//! The program app: programs and their tabs, and sign-in (see the library's documentation).

fn main() {
    throughline_frontend::start(throughline_frontend::app::App);
}
