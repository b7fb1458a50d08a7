// Guess the hidden number (the test's input) in [1, 1000]: "? x" is answered ">" (the
// number is larger), "<" or "="; "! x" is the final answer. At most 20 lines.
#include <cstdio>

int main(int argc, char** argv) {
    if (argc < 4) return 3;
    FILE* input = std::fopen(argv[1], "r");
    FILE* output = std::fopen(argv[2], "w");
    int secret = 0;
    if (!input || !output || std::fscanf(input, "%d", &secret) != 1) return 3;
    for (int line = 1; line <= 20; ++line) {
        char op = 0;
        int x = 0;
        if (std::scanf(" %c %d", &op, &x) != 2) {
            std::fprintf(stderr, "expected a query on line %d\n", line);
            return 1;
        }
        if (op == '!') {
            if (x != secret) {
                std::fprintf(stderr, "answered %d, the number was another\n", x);
                return 1;
            }
            std::fprintf(output, "found in %d lines\n", line);
            std::fprintf(stderr, "found in %d lines\n", line);
            return 0;
        }
        std::printf("%s\n", x < secret ? ">" : x > secret ? "<" : "=");
        std::fflush(stdout);
    }
    std::fprintf(stderr, "too many queries\n");
    return 1;
}
