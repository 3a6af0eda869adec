use clap::Parser;
use throughline_backend::cli::{Cli, run};

// mimalloc rather than glibc malloc: every password check allocates argon2's 19 MiB work area on a
// blocking-pool thread, and glibc keeps what each thread's arena once held (a burst of sign-ins
// left the process at 1 GB and more, for good), while mimalloc returns freed pages to the system.
// Chosen over jemalloc for building from source with just `cc` and for a smaller footprint.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cli))
}
