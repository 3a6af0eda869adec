//! The administration app: account, users and program members (see the library's
//! documentation).

fn main() {
    throughline_frontend::start(throughline_frontend::app::AdminApp);
}
