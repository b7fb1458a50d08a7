"""The same programs in every language the sandbox runs beside Python, C++ and JavaScript
(whose suites are older): one per verdict, a pair for a checker, a binary search for an
interactor, a checker of their own, and the language-independent attacks."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Programs:
    language: str
    # Reads "a b", prints a + b.
    add: str
    # Prints a - b.
    wrong: str
    runtime_error: str
    time_limit: str
    # Allocates and touches memory without end.
    memory_limit: str
    # Prints without end.
    output_limit: str
    # None: the language has no compile step.
    compile_error: str | None
    # Reads n, prints "0 n" (a right answer tests/judges/sum_checker.py accepts).
    pair: str
    # Finds the secret in [1, 1000] with tests/judges/guess_interactor.py ("? x", "! x").
    guess: str
    # A checker in this language with sum_checker's contract: input n, output "x y", x + y = n.
    checker: str
    # Starts processes without end (`sleep 666321`, the marker a test looks for on the host).
    fork_bomb: str
    # Writes 1 GB to stdout as fast as it can.
    flood: str
    # Tries to connect to 127.0.0.1:{port}; prints "isolated" when it cannot.
    connect: str
    # Tries to read each path of PATHS (one per line on stdin); prints "nothing" when none opens.
    peek: str


C = Programs(
    language="c",
    add='#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a+b);return 0;}',
    wrong='#include <stdio.h>\nint main(void){long long a,b;scanf("%lld %lld",&a,&b);printf("%lld\\n",a-b);return 0;}',
    runtime_error="#include <stdlib.h>\nint main(void){int *p = NULL; return *p;}",
    time_limit="int main(void){volatile unsigned long x = 0; for (;;) x++;}",
    memory_limit=(
        "#include <stdlib.h>\n#include <string.h>\n"
        "int main(void){for(;;){char *p = malloc(1 << 20); if (!p) return 1; memset(p, 1, 1 << 20);}}"
    ),
    output_limit='#include <stdio.h>\nint main(void){for(;;) puts("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy");}',
    compile_error="int main(void){ return x; }",
    pair='#include <stdio.h>\nint main(void){long long n; scanf("%lld",&n); printf("0 %lld\\n", n); return 0;}',
    guess=(
        "#include <stdio.h>\n#include <string.h>\n"
        "int main(void){int lo = 1, hi = 1000; char r[8];\n"
        ' while (lo < hi) { int mid = (lo + hi) / 2; printf("? %d\\n", mid); fflush(stdout);\n'
        '  if (scanf("%7s", r) != 1) return 1;\n'
        "  if (r[0] == '=') { lo = hi = mid; } else if (r[0] == '>') lo = mid + 1; else hi = mid - 1; }\n"
        ' printf("! %d\\n", lo); fflush(stdout); return 0;}'
    ),
    checker=(
        "#include <stdio.h>\n"
        "int main(int argc, char **argv){long long n, x, y; char extra[2];\n"
        ' FILE *in = fopen(argv[1], "r"), *out = fopen(argv[2], "r");\n'
        ' if (fscanf(in, "%lld", &n) != 1) return 3;\n'
        ' if (fscanf(out, "%lld %lld", &x, &y) != 2 || fscanf(out, "%1s", extra) == 1)'
        ' { fprintf(stderr, "expected two integers\\n"); return 1; }\n'
        ' if (x + y != n) { fprintf(stderr, "%lld + %lld != %lld\\n", x, y, n); return 1; }\n'
        " return 0;}"
    ),
    fork_bomb=(
        "#include <unistd.h>\n"
        'int main(void){ for (;;) if (fork() == 0) execlp("sleep", "sleep", "666321", (char *)0); }'
    ),
    flood=(
        "#include <stdio.h>\n#include <string.h>\n"
        "static char chunk[1 << 20];\n"
        "int main(void){memset(chunk, 'z', sizeof chunk); for (int i = 0; i < 1024; i++)"
        " fwrite(chunk, 1, sizeof chunk, stdout); return 0;}"
    ),
    connect=(
        "#include <stdio.h>\n#include <string.h>\n#include <arpa/inet.h>\n#include <sys/socket.h>\n"
        "int main(void){struct sockaddr_in a; memset(&a, 0, sizeof a); a.sin_family = AF_INET;\n"
        ' a.sin_port = htons({port}); inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);\n'
        " int s = socket(AF_INET, SOCK_STREAM, 0);\n"
        ' if (s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0) puts("reached"); else puts("isolated");'
        " return 0;}"
    ),
    peek=(
        "#include <stdio.h>\n#include <string.h>\n"
        "int main(void){char path[4096]; int seen = 0;\n"
        ' while (fgets(path, sizeof path, stdin)) { path[strcspn(path, "\\n")] = 0; if (!*path) continue;\n'
        '  FILE *f = fopen(path, "rb"); if (f && fgetc(f) != EOF) { printf("%s\\n", path); seen = 1; }'
        " if (f) fclose(f); }\n"
        ' if (!seen) puts("nothing"); return 0;}'
    ),
)

JAVA = Programs(
    language="java",
    add=(
        "import java.util.*;\n"
        "public class Main { public static void main(String[] args) { Scanner s = new Scanner(System.in);"
        " long a = s.nextLong(), b = s.nextLong(); System.out.println(a + b); } }"
    ),
    # Any single public class names the file, not only Main.
    wrong=(
        "import java.util.*;\n"
        "public class Solution { public static void main(String[] args) { Scanner s = new Scanner(System.in);"
        " long a = s.nextLong(), b = s.nextLong(); System.out.println(a - b); } }"
    ),
    runtime_error='public class Main { public static void main(String[] a) { throw new RuntimeException("boom"); } }',
    time_limit=("public class Main { static long x; public static void main(String[] a) { while (true) { x++; } } }"),
    memory_limit=(
        "import java.util.*;\n"
        "public class Main { public static void main(String[] a) { List<long[]> keep = new ArrayList<>();"
        " while (true) { long[] block = new long[1 << 17]; Arrays.fill(block, 1L); keep.add(block); } } }"
    ),
    output_limit=(
        "public class Main { public static void main(String[] a) {"
        ' while (true) System.out.println("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"); } }'
    ),
    compile_error='public class Main { public static void main(String[] a) { int x = "s"; } }',
    pair=(
        "import java.util.*;\n"
        "public class Main { public static void main(String[] a) {"
        ' long n = new Scanner(System.in).nextLong(); System.out.println("0 " + n); } }'
    ),
    guess=(
        "import java.io.*;\n"
        "public class Main { public static void main(String[] a) throws IOException {\n"
        " BufferedReader in = new BufferedReader(new InputStreamReader(System.in)); int lo = 1, hi = 1000;\n"
        ' while (lo < hi) { int mid = (lo + hi) / 2; System.out.println("? " + mid); System.out.flush();\n'
        "  String r = in.readLine().trim();\n"
        '  if (r.equals("=")) { lo = hi = mid; } else if (r.equals(">")) lo = mid + 1; else hi = mid - 1; }\n'
        ' System.out.println("! " + lo); System.out.flush(); } }'
    ),
    checker=(
        "import java.nio.file.*;\n"
        "public class Check { public static void main(String[] a) throws Exception {\n"
        ' long n = Long.parseLong(Files.readString(Path.of(a[0])).trim().split("\\\\s+")[0]);\n'
        ' String[] t = Files.readString(Path.of(a[1])).trim().split("\\\\s+");\n'
        ' if (t.length != 2) { System.err.println("expected two integers"); System.exit(1); }\n'
        " long x, y; try { x = Long.parseLong(t[0]); y = Long.parseLong(t[1]); }"
        ' catch (NumberFormatException e) { System.err.println("expected two integers"); System.exit(1); return; }\n'
        ' if (x + y != n) { System.err.println(x + " + " + y + " != " + n); System.exit(1); }\n'
        " System.exit(0); } }"
    ),
    fork_bomb=(
        "import java.util.*;\n"
        "public class Main { public static void main(String[] a) { List<Process> kids = new ArrayList<>();\n"
        ' while (true) { try { kids.add(new ProcessBuilder("sleep", "666321").start()); } catch (Exception e) { } } } }'
    ),
    flood=(
        "import java.io.*;\nimport java.util.*;\n"
        "public class Main { public static void main(String[] a) throws IOException {"
        " byte[] chunk = new byte[1 << 20]; Arrays.fill(chunk, (byte) 'z');"
        " OutputStream out = new FileOutputStream(FileDescriptor.out);"
        " for (int i = 0; i < 1024; i++) out.write(chunk); } }"
    ),
    connect=(
        "import java.net.*;\n"
        "public class Main { public static void main(String[] a) { try (Socket s = new Socket()) {"
        ' s.connect(new InetSocketAddress("127.0.0.1", {port}), 1000); System.out.println("reached"); }'
        ' catch (Exception e) { System.out.println("isolated"); } } }'
    ),
    peek=(
        "import java.io.*;\nimport java.nio.file.*;\n"
        "public class Main { public static void main(String[] a) throws IOException {"
        " BufferedReader in = new BufferedReader(new InputStreamReader(System.in)); String line; boolean seen = false;\n"
        " while ((line = in.readLine()) != null) { if (line.isEmpty()) continue;"
        " try { if (Files.readAllBytes(Path.of(line)).length > 0) { System.out.println(line); seen = true; } }"
        " catch (Exception e) { } }\n"
        ' if (!seen) System.out.println("nothing"); } }'
    ),
)

GO = Programs(
    language="go",
    add='package main\nimport "fmt"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a + b) }',
    wrong='package main\nimport "fmt"\nfunc main() { var a, b int64; fmt.Scan(&a, &b); fmt.Println(a - b) }',
    runtime_error='package main\nfunc main() { panic("boom") }',
    time_limit="package main\nvar x int\nfunc main() { for { x++ } }",
    memory_limit=(
        "package main\nvar keep [][]byte\n"
        "func main() { for { b := make([]byte, 1<<20); for i := range b { b[i] = 1 }; keep = append(keep, b) } }"
    ),
    output_limit='package main\nimport "fmt"\nfunc main() { for { fmt.Println("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy") } }',
    compile_error="package main\nfunc main() { x := 1 }",
    pair='package main\nimport "fmt"\nfunc main() { var n int64; fmt.Scan(&n); fmt.Println(0, n) }',
    guess=(
        'package main\nimport "fmt"\n'
        "func main() { lo, hi := 1, 1000\n"
        ' for lo < hi { mid := (lo + hi) / 2; fmt.Printf("? %d\\n", mid); var r string\n'
        "  if _, err := fmt.Scan(&r); err != nil { return }\n"
        '  if r == "=" { lo, hi = mid, mid } else if r == ">" { lo = mid + 1 } else { hi = mid - 1 } }\n'
        ' fmt.Printf("! %d\\n", lo) }'
    ),
    checker=(
        'package main\nimport (\n "fmt"\n "os"\n "strconv"\n "strings"\n)\n'
        "func main() { in, _ := os.ReadFile(os.Args[1]); out, _ := os.ReadFile(os.Args[2])\n"
        " n, _ := strconv.ParseInt(strings.Fields(string(in))[0], 10, 64); t := strings.Fields(string(out))\n"
        ' if len(t) != 2 { fmt.Fprintln(os.Stderr, "expected two integers"); os.Exit(1) }\n'
        " x, e1 := strconv.ParseInt(t[0], 10, 64); y, e2 := strconv.ParseInt(t[1], 10, 64)\n"
        ' if e1 != nil || e2 != nil { fmt.Fprintln(os.Stderr, "expected two integers"); os.Exit(1) }\n'
        ' if x+y != n { fmt.Fprintf(os.Stderr, "%d + %d != %d\\n", x, y, n); os.Exit(1) } }'
    ),
    fork_bomb=(
        'package main\nimport "os/exec"\nfunc main() { for { c := exec.Command("sleep", "666321"); _ = c.Start() } }'
    ),
    flood=(
        'package main\nimport (\n "bytes"\n "os"\n)\n'
        'func main() { chunk := bytes.Repeat([]byte("z"), 1<<20); for i := 0; i < 1024; i++ { os.Stdout.Write(chunk) } }'
    ),
    connect=(
        'package main\nimport (\n "fmt"\n "net"\n "time"\n)\n'
        'func main() { c, err := net.DialTimeout("tcp", "127.0.0.1:{port}", time.Second)\n'
        ' if err != nil { fmt.Println("isolated"); return }; c.Close(); fmt.Println("reached") }'
    ),
    peek=(
        'package main\nimport (\n "bufio"\n "fmt"\n "os"\n)\n'
        "func main() { s := bufio.NewScanner(os.Stdin); seen := false\n"
        ' for s.Scan() { p := s.Text(); if p == "" { continue }\n'
        "  if b, err := os.ReadFile(p); err == nil && len(b) > 0 { fmt.Println(p); seen = true } }\n"
        ' if !seen { fmt.Println("nothing") } }'
    ),
)

RUST = Programs(
    language="rust",
    add=(
        "use std::io::Read;\n"
        "fn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap();\n"
        " let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();"
        ' println!("{}", v[0] + v[1]); }'
    ),
    wrong=(
        "use std::io::Read;\n"
        "fn main() { let mut s = String::new(); std::io::stdin().read_to_string(&mut s).unwrap();\n"
        " let v: Vec<i64> = s.split_whitespace().map(|x| x.parse().unwrap()).collect();"
        ' println!("{}", v[0] - v[1]); }'
    ),
    runtime_error='fn main() { panic!("boom"); }',
    time_limit='fn main() { let mut x: u64 = 1; loop { x = x.wrapping_mul(3); if x == 0 { println!("{}", x); } } }',
    memory_limit="fn main() { let mut keep: Vec<Vec<u8>> = Vec::new(); loop { keep.push(vec![1u8; 1 << 20]); } }",
    output_limit='fn main() { loop { println!("yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"); } }',
    compile_error='fn main() { let x: i32 = "s"; }',
    pair=(
        "fn main() { let mut s = String::new(); std::io::stdin().read_line(&mut s).unwrap();"
        ' let n: i64 = s.trim().parse().unwrap(); println!("0 {}", n); }'
    ),
    guess=(
        "use std::io::{BufRead, Write};\n"
        "fn main() { let stdin = std::io::stdin(); let mut lines = stdin.lock().lines();"
        " let (mut lo, mut hi) = (1, 1000);\n"
        ' while lo < hi { let mid = (lo + hi) / 2; println!("? {}", mid); std::io::stdout().flush().unwrap();\n'
        "  let r = lines.next().unwrap().unwrap();\n"
        '  match r.trim() { "=" => { lo = mid; hi = mid; } ">" => lo = mid + 1, _ => hi = mid - 1 } }\n'
        ' println!("! {}", lo); }'
    ),
    checker=(
        "use std::fs;\nuse std::process::exit;\n"
        "fn main() { let a: Vec<String> = std::env::args().collect();\n"
        " let n: i64 = fs::read_to_string(&a[1]).unwrap().split_whitespace().next().unwrap().parse().unwrap();\n"
        " let out = fs::read_to_string(&a[2]).unwrap_or_default(); let t: Vec<&str> = out.split_whitespace().collect();\n"
        ' if t.len() != 2 { eprintln!("expected two integers"); exit(1); }\n'
        " let (x, y): (i64, i64) = match (t[0].parse(), t[1].parse()) { (Ok(x), Ok(y)) => (x, y),"
        ' _ => { eprintln!("expected two integers"); exit(1) } };\n'
        ' if x + y != n { eprintln!("{} + {} != {}", x, y, n); exit(1); } }'
    ),
    fork_bomb=(
        "use std::process::Command;\n"
        'fn main() { let mut kids = Vec::new(); loop { if let Ok(c) = Command::new("sleep").arg("666321").spawn()'
        " { kids.push(c); } } }"
    ),
    flood=(
        "use std::io::Write;\n"
        "fn main() { let chunk = vec![b'z'; 1 << 20]; let mut out = std::io::stdout();"
        " for _ in 0..1024 { if out.write_all(&chunk).is_err() { return; } } }"
    ),
    connect=(
        "use std::net::{SocketAddr, TcpStream};\nuse std::time::Duration;\n"
        'fn main() { let addr: SocketAddr = "127.0.0.1:{port}".parse().unwrap();\n'
        " match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {"
        ' Ok(_) => println!("reached"), Err(_) => println!("isolated") } }'
    ),
    peek=(
        "use std::io::BufRead;\n"
        "fn main() { let mut seen = false;\n"
        " for line in std::io::stdin().lock().lines() { let p = line.unwrap(); if p.is_empty() { continue; }\n"
        '  if let Ok(b) = std::fs::read(&p) { if !b.is_empty() { println!("{}", p); seen = true; } } }\n'
        ' if !seen { println!("nothing"); } }'
    ),
)

PYPY = Programs(
    language="pypy",
    add="a, b = map(int, input().split())\nprint(a + b)",
    wrong="a, b = map(int, input().split())\nprint(a - b)",
    runtime_error="raise ValueError('boom')",
    time_limit="x = 0\nwhile True:\n    x += 1",
    memory_limit="keep = []\nwhile True:\n    keep.append(bytearray(b'\\x01') * (1 << 20))",
    output_limit="while True:\n    print('yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy')",
    compile_error=None,
    pair="n = int(input())\nprint(0, n)",
    guess=(
        "lo, hi = 1, 1000\n"
        "while lo < hi:\n"
        "    mid = (lo + hi) // 2\n"
        "    print('?', mid, flush=True)\n"
        "    r = input().strip()\n"
        "    if r == '=':\n"
        "        lo = hi = mid\n"
        "    elif r == '>':\n"
        "        lo = mid + 1\n"
        "    else:\n"
        "        hi = mid - 1\n"
        "print('!', lo, flush=True)"
    ),
    checker=(
        "import sys\n"
        "n = int(open(sys.argv[1]).read().split()[0])\n"
        "tokens = open(sys.argv[2]).read().split()\n"
        "try:\n"
        "    x, y = (int(token) for token in tokens)\n"
        "except ValueError:\n"
        "    print('expected two integers', file=sys.stderr)\n"
        "    sys.exit(1)\n"
        "if x + y != n:\n"
        "    print(f'{x} + {y} != {n}', file=sys.stderr)\n"
        "    sys.exit(1)\n"
    ),
    fork_bomb=(
        "import os\n"
        "while True:\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            os.execvp('sleep', ['sleep', '666321'])\n"
        "    except OSError:\n"
        "        pass"
    ),
    flood="import sys\nchunk = 'z' * (1 << 20)\nfor _ in range(1024):\n    sys.stdout.write(chunk)",
    connect=(
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', {port}), timeout=1).close()\n"
        "    print('reached')\n"
        "except OSError:\n"
        "    print('isolated')"
    ),
    peek=(
        "import sys\n"
        "seen = []\n"
        "for path in sys.stdin.read().split('\\n'):\n"
        "    if not path:\n"
        "        continue\n"
        "    try:\n"
        "        if open(path, 'rb').read():\n"
        "            seen.append(path)\n"
        "    except OSError:\n"
        "        pass\n"
        "print('\\n'.join(seen) or 'nothing')"
    ),
)

NEW_LANGUAGES = (C, JAVA, GO, RUST, PYPY)
