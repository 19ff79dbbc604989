// C++ standard library: iostreams formatting and parsing, std::string,
// containers (vector, deque, list, map, set, unordered_map, priority_queue),
// <algorithm> and <numeric>, std::function and lambdas, smart pointers,
// optional/variant, and virtual dispatch. Unordered containers are printed
// sorted.
#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <iomanip>
#include <iostream>
#include <list>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace {

struct Shape {
  virtual ~Shape() = default;
  virtual double area() const = 0;
  virtual std::string name() const = 0;
};
struct Square : Shape {
  explicit Square(double s) : side(s) {}
  double area() const override { return side * side; }
  std::string name() const override { return "square"; }
  double side;
};
struct Circle : Shape {
  explicit Circle(double r) : radius(r) {}
  double area() const override { return 3.25 * radius * radius; }  // exact binary constant
  std::string name() const override { return "circle"; }
  double radius;
};

template <typename C>
void print_range(const char* label, const C& c) {
  std::cout << label << ':';
  for (const auto& x : c) std::cout << ' ' << x;
  std::cout << '\n';
}

}  // namespace

int main() {
  // iostream formatting
  std::cout << "int " << 42 << " neg " << -7 << " hex " << std::hex << 255 << std::dec << " oct " << std::oct
            << 8 << std::dec << '\n';
  std::cout << std::setw(8) << std::setfill('*') << 123 << std::setfill(' ') << '|' << std::left << std::setw(6)
            << "ab" << '|' << std::right << '\n';
  std::cout << std::fixed << std::setprecision(3) << 3.14159 << ' ' << std::scientific << 12345.678 << ' '
            << std::defaultfloat << std::setprecision(17) << 0.1 << '\n';
  std::cout << std::boolalpha << true << ' ' << false << std::noboolalpha << ' ' << std::showpos << 5
            << std::noshowpos << '\n';

  // parsing with stringstream
  std::istringstream in("10 20 thirty 40.5\nline two here\n");
  int a, b;
  std::string word, line;
  double d;
  in >> a >> b >> word >> d;
  std::getline(in, line);  // rest of the first line
  std::getline(in, line);
  std::cout << "parsed " << a + b << ' ' << word << ' ' << d << " / " << line << '\n';
  std::ostringstream os;
  os << "built " << 1 << '+' << 2.5 << '=' << 1 + 2.5;
  std::cout << os.str() << " (" << os.str().size() << " chars)\n";

  // std::string
  std::string s = "The quick brown fox jumps over the lazy dog";
  std::cout << "find fox at " << s.find("fox") << ", rfind 'o' at " << s.rfind('o') << ", npos "
            << (s.find("cat") == std::string::npos) << '\n';
  std::string up = s;
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  std::cout << up.substr(4, 11) << ' ' << s.replace(4, 5, "slow") << '\n';
  std::cout << "compare " << (std::string("abc") < std::string("abd")) << " concat " << std::string(3, 'x') + "yz"
            << " to_string " << std::to_string(-12.5) << " stol " << std::stol("-99") << '\n';

  // containers and algorithms
  std::vector<int> v(20);
  std::iota(v.begin(), v.end(), -5);
  std::reverse(v.begin(), v.end());
  std::rotate(v.begin(), v.begin() + 3, v.end());
  print_range("rotated", v);
  std::stable_sort(v.begin(), v.end(), [](int x, int y) { return std::abs(x) < std::abs(y); });
  print_range("by abs", v);
  std::sort(v.begin(), v.end());
  std::cout << "sum " << std::accumulate(v.begin(), v.end(), 0) << " product of 1..10 "
            << std::accumulate(v.begin() + 6, v.begin() + 16, 1LL, std::multiplies<long long>()) << " lower_bound(7) at "
            << std::lower_bound(v.begin(), v.end(), 7) - v.begin() << " count_if even "
            << std::count_if(v.begin(), v.end(), [](int x) { return x % 2 == 0; }) << '\n';
  std::vector<int> dup = {3, 1, 3, 3, 2, 1, 2};
  std::sort(dup.begin(), dup.end());
  dup.erase(std::unique(dup.begin(), dup.end()), dup.end());
  print_range("unique", dup);
  std::string perm = "abc";
  std::cout << "permutations:";
  do std::cout << ' ' << perm;
  while (std::next_permutation(perm.begin(), perm.end()));
  std::cout << '\n';

  std::deque<int> dq;
  for (int i = 0; i < 5; i++) {
    dq.push_back(i);
    dq.push_front(-i);
  }
  print_range("deque", dq);
  std::list<std::string> names = {"pear", "apple", "fig", "banana"};
  names.sort();
  names.remove("fig");
  print_range("list", names);
  std::map<std::string, int> counts;
  for (const char* w : {"b", "a", "c", "a", "b", "a"}) counts[w]++;
  std::cout << "map:";
  for (const auto& [k, n] : counts) std::cout << ' ' << k << '=' << n;
  std::cout << '\n';
  std::set<int> st = {5, 1, 9, 1, 5};
  print_range("set", st);
  std::unordered_map<int, std::string> um;
  for (int i = 0; i < 50; i++) um[i * 37 % 101] = std::to_string(i);
  std::vector<std::pair<int, std::string>> sorted(um.begin(), um.end());
  std::sort(sorted.begin(), sorted.end());
  std::cout << "unordered_map size " << um.size() << " first " << sorted.front().first << "=" << sorted.front().second
            << " last " << sorted.back().first << "=" << sorted.back().second << '\n';
  std::priority_queue<int> pq;
  for (int x : {4, 8, 1, 9, 3}) pq.push(x);
  std::cout << "priority_queue:";
  while (!pq.empty()) {
    std::cout << ' ' << pq.top();
    pq.pop();
  }
  std::cout << '\n';

  // std::function, lambdas with captures, recursion through std::function
  std::function<long(int)> fib = [&fib](int n) -> long { return n < 2 ? n : fib(n - 1) + fib(n - 2); };
  int base = 10;
  auto add_base = [base](int x) { return x + base; };
  std::cout << "fib(20) " << fib(20) << " add_base(5) " << add_base(5) << '\n';

  // smart pointers and virtual dispatch
  std::vector<std::unique_ptr<Shape>> shapes;
  shapes.push_back(std::make_unique<Square>(3));
  shapes.push_back(std::make_unique<Circle>(2));
  auto shared = std::make_shared<Square>(1.5);
  std::weak_ptr<Square> weak = shared;
  for (const auto& sh : shapes) std::cout << sh->name() << " area " << sh->area() << '\n';
  std::cout << "shared use_count " << shared.use_count() << " weak expired " << weak.expired();
  shared.reset();
  std::cout << " -> " << weak.expired() << '\n';

  // optional and variant
  std::optional<int> none, some = 5;
  std::cout << "optional " << none.value_or(-1) << ' ' << some.value_or(-1) << '\n';
  std::variant<int, double, std::string> var = 2.5;
  auto show = [](const auto& x) { std::cout << "variant holds " << x << '\n'; };
  std::visit(show, var);
  var = std::string("text");
  std::visit(show, var);
  std::cout << "index " << var.index() << '\n';
  std::cout << "sqrt(2) " << std::setprecision(10) << std::sqrt(2.0) << std::endl;
  return 0;
}
