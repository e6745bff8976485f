#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The three POSIX calls whose names `InputFile` and `AtomicFile` reuse for methods of their own
/// (`InputFile.open`, `InputFile.read`, `AtomicFile.write`), under a name that those types can call
/// without the C library's module name: glibc's on Linux, Darwin's on macOS.
enum SystemCall {
    /// `open(2)` without a mode (the file is not created).
    static func open(_ path: String, _ flags: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.open(path, flags)
        #elseif canImport(Darwin)
        Darwin.open(path, flags)
        #endif
    }

    /// `read(2)`: at most `count` bytes into `buffer`; the number read, 0 at the end, −1 on error (`errno`).
    static func read(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #elseif canImport(Darwin)
        Darwin.read(descriptor, buffer, count)
        #endif
    }

    /// `write(2)`: at most `count` bytes from `buffer`; the number written, −1 on error (`errno`).
    static func write(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, buffer, count)
        #elseif canImport(Darwin)
        Darwin.write(descriptor, buffer, count)
        #endif
    }
}
