// CGnuplotIostream: a C face for Debian's gnuplot-iostream (libgnuplot-iostream-dev), so that
// Swift's figure layer can use the C++ library without C++ interoperability.
//
// A session is a gnuplot-iostream `Gnuplot` object: an output stream either to a script file
// (command ">PATH") or to a gnuplot process. Every function reports failure by its return value
// and never throws or prints: the Swift side turns failures into `FigureError`s.
#ifndef GRUKIT_CGNUPLOTIOSTREAM_H
#define GRUKIT_CGNUPLOTIOSTREAM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An open session: a script file being written or a running gnuplot process.
typedef struct gp_session gp_session;

/// Opens a session.
///
/// `command` ">PATH" writes the file PATH (gnuplot-iostream's own file mode); `directory` is
/// ignored then. Any other `command` is the gnuplot program to start (a path or a name on PATH);
/// it runs in `directory` with its standard output and error captured, so that `gp_close` can
/// return them with its exit status.
///
/// Returns NULL when the file or the process cannot be opened, with the reason in `error`
/// (NUL-terminated, cut to `error_size` bytes).
gp_session *gp_open(const char *command, const char *directory, char *error, size_t error_size);

/// Writes `length` bytes of commands to the session as they are (the caller ends lines with
/// '\n'). Returns 0, or -1 when the stream failed (the file could not be written, or gnuplot has
/// exited; `gp_close` then tells why).
int gp_send(gp_session *session, const char *text, size_t length);

/// Streams inline data with gnuplot-iostream's `send1d`: `rows` lines of `columns` numbers
/// (row-major in `values`), then the `e` that ends the data of a `plot '-'`. Returns 0 or -1.
int gp_send1d(gp_session *session, const double *values, size_t rows, size_t columns);

/// Writes the data file `path` with gnuplot-iostream's `file1d`: row i holds `widths[i]` cells,
/// taken in order from `cells` (NUL-terminated texts one after another), separated by single
/// spaces; an empty row is a blank line. `session` may be NULL (a data file with no script).
///
/// Returns 0, or -1 with the reason in `error` when the file could not be created or was left short.
int gp_file1d(gp_session *session, const char *cells, const size_t *widths, size_t rows,
              const char *path, char *error, size_t error_size);

/// Flushes and closes the session and frees it.
///
/// For a gnuplot process: returns gnuplot's exit status (128 + N when killed by signal N) and,
/// when `output` / `errors` are not NULL, what it printed on standard output / error as
/// NUL-terminated strings the caller frees with `free`. For a script file: returns 0, or -1 with
/// the reason in `*errors` when the file could not be written completely.
int gp_close(gp_session *session, char **output, char **errors);

#ifdef __cplusplus
}
#endif

#endif
