// A small testlib-compatible header written for these tests (not testlib itself): the
// calls a typical checker makes, with testlib's exit codes, so the tests can prove that a
// problem's own testlib.h, sent as a support file, compiles beside its checker.
#pragma once
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

enum TResult { _ok = 0, _wa = 1, _pe = 2, _fail = 3, _points = 7 };

[[noreturn]] inline void quitf(TResult result, const char* format, ...) {
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::exit(result);
}

[[noreturn]] inline void quitp(double points, const char* format, ...) {
    std::fprintf(stderr, "points %.6f ", points);  // testlib's own format for partial points
    va_list args;
    va_start(args, format);
    std::vfprintf(stderr, format, args);
    va_end(args);
    std::fputc('\n', stderr);
    std::exit(_points);
}

struct InStream {
    std::ifstream in;
    TResult on_error = _fail;  // the contestant's output: a wrong answer; the jury's files: our failure

    std::string readToken() {
        std::string token;
        if (!(in >> token)) quitf(on_error, "unexpected end of file");
        return token;
    }
    long long readLong() {
        std::string token = readToken();
        char* end = nullptr;
        long long value = std::strtoll(token.c_str(), &end, 10);
        if (token.empty() || *end != '\0') quitf(on_error, "expected an integer, found '%s'", token.c_str());
        return value;
    }
    int readInt() { return static_cast<int>(readLong()); }
    bool seekEof() {
        while (std::isspace(in.peek())) in.get();
        return in.peek() == EOF;
    }
};

inline InStream inf, ouf, ans;

inline void registerTestlibCmd(int argc, char* argv[]) {
    if (argc < 4) quitf(_fail, "usage: checker <input> <output> <answer>");
    inf.in.open(argv[1]);
    ouf.in.open(argv[2]);
    ans.in.open(argv[3]);
    ouf.on_error = _pe;
    if (!inf.in || !ans.in) quitf(_fail, "cannot open the jury's files");
}
