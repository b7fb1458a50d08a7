// Any two integers x y with x + y = n are a right answer (many valid outputs).
#include "testlib.h"

int main(int argc, char* argv[]) {
    registerTestlibCmd(argc, argv);
    long long n = inf.readLong();
    ans.readLong();  // the reference pair is one of many
    long long x = ouf.readLong(), y = ouf.readLong();
    if (!ouf.seekEof()) quitf(_wa, "extra output after the pair");
    if (x + y != n) quitf(_wa, "%lld + %lld != %lld", x, y, n);
    quitf(_ok, "%lld + %lld = %lld", x, y, n);
}
