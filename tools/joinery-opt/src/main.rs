//! `joinery-opt`: registers every joinery dialect and pass ([`joinery_all`]) and hands over
//! to [`joinery_driver::opt_main`], as MLIR's `mlir-opt` does with `MlirOptMain`.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let passes = joinery_all::passes();
    std::process::exit(joinery_driver::opt_main(
        args,
        &joinery_all::DIALECTS,
        &passes,
    ));
}
