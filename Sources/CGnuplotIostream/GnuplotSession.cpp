// The C functions of CGnuplotIostream.h on top of gnuplot-iostream's `Gnuplot` stream.
//
// Two things the header-only library leaves to its caller are done here:
// - gnuplot's exit status: the library's own pipe mode closes gnuplot with a pclose whose status
//   it drops (and prints "pclose returned error" to std::cerr). The shim starts gnuplot with its own
//   popen and hands the library a duplicate of the pipe (its `Gnuplot(FILE *)` constructor), so that
//   closing the library's stream and then the pipe yields the status.
// - write failures: the stream reports them in its state and file1d not at all, so the shim checks.
#include "CGnuplotIostream.h"

#include <gnuplot-iostream.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <pthread.h>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

struct gp_session {
    std::unique_ptr<gnuplotio::Gnuplot> gp;
    FILE *pipe = nullptr;     // the popen'd gnuplot; nullptr for a script file
    std::string outPath;      // where gnuplot's standard output is captured
    std::string errPath;      // where its standard error is captured
};

namespace {

/// A cell of a data file, written as its text: the Swift side formats numbers (the shortest text
/// that reads back to the same Double), which the library's own number output cannot do.
struct Cell { const char *text; };
std::ostream &operator<<(std::ostream &stream, const Cell &cell) { return stream << cell.text; }

void copyMessage(const std::string &message, char *error, size_t size) {
    if (error == nullptr || size == 0) return;
    std::snprintf(error, size, "%s", message.c_str());
}

/// A word for /bin/sh: single-quoted, with each ' written as '\''.
std::string shellQuoted(const std::string &word) {
    std::string out = "'";
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// An empty temporary file for one of gnuplot's outputs; "" when none can be made.
std::string temporaryFile(const char *what) {
    const char *dir = std::getenv("TMPDIR");
    std::string path = std::string(dir && dir[0] ? dir : "/tmp") + "/grukit-gnuplot-" + what + "-XXXXXX";
    std::vector<char> buffer(path.begin(), path.end());
    buffer.push_back('\0');
    int fd = mkstemp(buffer.data());
    if (fd < 0) return "";
    close(fd);
    return buffer.data();
}

/// The whole file as a malloc'd string (the caller frees it), then removes the file.
char *takeFile(const std::string &path) {
    std::string text;
    if (FILE *f = std::fopen(path.c_str(), "rb")) {
        char chunk[4096];
        size_t n;
        while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) text.append(chunk, n);
        std::fclose(f);
    }
    unlink(path.c_str());
    return strdup(text.c_str());
}

/// Blocks SIGPIPE in this thread while writing to gnuplot, and discards one raised meanwhile. A
/// gnuplot that stops on an error closes its end of the pipe; writing then must fail with EPIPE
/// (reported by the stream's state) rather than kill the chapter, and only this thread's signal
/// mask is touched, so the program's own SIGPIPE handling stays as it was.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigemptyset(&pipeSet_);
        sigaddset(&pipeSet_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipeSet_, &previous_);
        sigset_t pending;
        sigpending(&pending);
        wasPending_ = sigismember(&pending, SIGPIPE) == 1;
    }
    ~SigpipeBlock() {
        sigset_t pending;
        sigpending(&pending);
        if (!wasPending_ && sigismember(&pending, SIGPIPE) == 1) {
            timespec now = {0, 0};
            sigtimedwait(&pipeSet_, nullptr, &now);
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }
private:
    sigset_t pipeSet_, previous_;
    bool wasPending_ = false;
};

gp_session *openProcess(const char *program, const char *directory, char *error, size_t size) {
    std::unique_ptr<gp_session> session(new gp_session);
    session->outPath = temporaryFile("out");
    session->errPath = temporaryFile("err");
    if (session->outPath.empty() || session->errPath.empty()) {
        copyMessage(std::string("cannot create a temporary file: ") + std::strerror(errno), error, size);
        if (!session->outPath.empty()) unlink(session->outPath.c_str());
        return nullptr;
    }
    // The redirections come first, so that even a failing `cd` or a missing program reports into
    // the captured standard error.
    std::string command = "exec >" + shellQuoted(session->outPath) + " 2>" + shellQuoted(session->errPath)
        + " && cd " + shellQuoted(directory ? directory : ".") + " && exec " + shellQuoted(program);
    // "e": close-on-exec, so that no other child of this process holds gnuplot's input open.
    session->pipe = popen(command.c_str(), "we");
    int duplicate = session->pipe ? fcntl(fileno(session->pipe), F_DUPFD_CLOEXEC, 0) : -1;
    FILE *stream = duplicate >= 0 ? fdopen(duplicate, "w") : nullptr;
    if (stream == nullptr) {
        copyMessage(std::string("cannot start ") + program + ": " + std::strerror(errno), error, size);
        if (duplicate >= 0) close(duplicate);
        if (session->pipe) pclose(session->pipe);
        unlink(session->outPath.c_str());
        unlink(session->errPath.c_str());
        return nullptr;
    }
    session->gp.reset(new gnuplotio::Gnuplot(stream));
    return session.release();
}

gp_session *openFile(const char *command, char *error, size_t size) {
    std::unique_ptr<gp_session> session(new gp_session);
    try {
        session->gp.reset(new gnuplotio::Gnuplot(command));
    } catch (const std::exception &e) {
        int saved = errno;
        copyMessage(std::string(e.what()) + ": " + std::strerror(saved), error, size);
        return nullptr;
    }
    return session.release();
}

} // namespace

extern "C" gp_session *gp_open(const char *command, const char *directory, char *error, size_t error_size) {
    if (command == nullptr || command[0] == '\0') {
        copyMessage("empty command", error, error_size);
        return nullptr;
    }
    try {
        return command[0] == '>' ? openFile(command, error, error_size)
                                 : openProcess(command, directory, error, error_size);
    } catch (const std::exception &e) {
        copyMessage(e.what(), error, error_size);
        return nullptr;
    }
}

extern "C" int gp_send(gp_session *session, const char *text, size_t length) {
    SigpipeBlock block;
    try {
        session->gp->write(text, static_cast<std::streamsize>(length));
    } catch (const std::exception &) {
        return -1;
    }
    return session->gp->fail() ? -1 : 0;
}

extern "C" int gp_send1d(gp_session *session, const double *values, size_t rows, size_t columns) {
    std::vector<std::vector<double>> table(rows);
    for (size_t i = 0; i < rows; i++) table[i].assign(values + i * columns, values + (i + 1) * columns);
    SigpipeBlock block;
    try {
        session->gp->send1d(table);
    } catch (const std::exception &) {
        return -1;
    }
    return session->gp->fail() ? -1 : 0;
}

extern "C" int gp_file1d(gp_session *session, const char *cells, const size_t *widths, size_t rows,
                         const char *path, char *error, size_t error_size) {
    try {
        std::vector<std::vector<Cell>> table(rows);
        off_t expected = 0;
        const char *next = cells;
        for (size_t i = 0; i < rows; i++) {
            for (size_t k = 0; k < widths[i]; k++) {
                table[i].push_back(Cell{next});
                size_t length = std::strlen(next);
                expected += static_cast<off_t>(length) + (k > 0 ? 1 : 0);
                next += length + 1;
            }
            expected += 1;
        }
        // file1d writes through an std::fstream whose failure it neither checks nor reports: create
        // the file first to learn why it cannot be, and afterwards check that it holds every byte.
        FILE *probe = std::fopen(path, "w");
        if (probe == nullptr) {
            copyMessage(std::strerror(errno), error, error_size);
            return -1;
        }
        std::fclose(probe);
        std::unique_ptr<gnuplotio::Gnuplot> standalone;
        if (session == nullptr) standalone.reset(new gnuplotio::Gnuplot(">/dev/null"));
        (session ? *session->gp : *standalone).file1d(table, path);
        struct stat info;
        if (stat(path, &info) != 0 || info.st_size != expected) {
            copyMessage("the file was left incomplete (disk full?)", error, error_size);
            return -1;
        }
        return 0;
    } catch (const std::exception &e) {
        copyMessage(e.what(), error, error_size);
        return -1;
    }
}

extern "C" int gp_close(gp_session *session, char **output, char **errors) {
    if (output) *output = nullptr;
    if (errors) *errors = nullptr;
    bool written = false;
    int writeErrno = 0;
    {
        SigpipeBlock block;
        errno = 0;
        try {
            *session->gp << std::flush;
            written = !session->gp->fail();
        } catch (const std::exception &) {
        }
        writeErrno = errno;
        session->gp.reset();  // flushes again and closes the library's handle
    }
    int status;
    if (session->pipe) {
        int raw = pclose(session->pipe);
        status = raw == -1 ? -1 : WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
        char *out = takeFile(session->outPath), *err = takeFile(session->errPath);
        if (output) *output = out; else std::free(out);
        if (errors) *errors = err; else std::free(err);
    } else {
        status = written ? 0 : -1;
        if (!written && errors) {
            *errors = strdup(writeErrno ? std::strerror(writeErrno) : "the file could not be written completely");
        }
    }
    delete session;
    return status;
}
