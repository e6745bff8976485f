/// What the chapters compute, one namespace per chapter (`Chapter01`, `Chapter02`, …), tested in
/// process.
///
/// A chapter's `main.swift` keeps its prose and the short calls that run the idea it teaches; the
/// plumbing it needs — tables, data-file text, figure layout, option checks, run orchestration —
/// lives here, where the tests reach it without launching the executable. The algorithm a chapter
/// teaches stays on its page: when it lives in this library, the page weaves it in from a marked
/// region (`// [[library: NAME]]`).
///
/// Each piece traces to the chapter that introduces it: `Chapter04` holds what chapter 4 needs,
/// and a later chapter that uses it says so where it calls it.
public enum GRUKitChapters {}
