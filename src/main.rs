//! The `soc2` binary.

fn main() -> std::process::ExitCode {
    soc2::app::main()
}
