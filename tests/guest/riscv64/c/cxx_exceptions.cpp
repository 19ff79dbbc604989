// C++ exceptions: throwing through several frames, catch by base class,
// rethrow, nested try blocks, destructors run during unwinding (in order),
// std::exception_ptr, exceptions from the standard library, function-try
// blocks in constructors, and unwinding through a C-style callback (qsort).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <vector>

namespace {

std::string trace;

struct Guard {
  explicit Guard(char n) : name(n) { trace += '+'; trace += name; }
  ~Guard() { trace += '-'; trace += name; }
  char name;
};

struct AppError : std::runtime_error {
  AppError(const std::string& what, int c) : std::runtime_error(what), code(c) {}
  int code;
};
struct DeepError : AppError {
  using AppError::AppError;
};

int depth_thrower(int depth, int throw_at) {
  Guard g(static_cast<char>('a' + depth % 26));
  if (depth == throw_at) throw DeepError("thrown at depth " + std::to_string(depth), depth);
  return depth_thrower(depth + 1, throw_at) + 1;
}

void rethrower() {
  try {
    Guard g('r');
    throw AppError("original", 7);
  } catch (AppError& e) {
    e.code += 100;  // modifies the in-flight exception object
    throw;
  }
}

struct Member {
  explicit Member(int v) {
    if (v < 0) throw std::invalid_argument("negative member");
  }
};
struct Holder {
  Holder(int v) try : m(v) {
  } catch (const std::invalid_argument& e) {
    std::printf("function-try caught: %s\n", e.what());
    // implicitly rethrown
  }
  Member m;
};

int compare_or_throw(const void* a, const void* b) {
  int x = *static_cast<const int*>(a), y = *static_cast<const int*>(b);
  if (x == 13 || y == 13) throw std::out_of_range("unlucky element");
  return (x > y) - (x < y);
}

}  // namespace

int main() {
  for (int at : {0, 3, 40}) {
    trace.clear();
    try {
      depth_thrower(0, at);
    } catch (const AppError& e) {
      std::printf("caught %s code %d, is DeepError %d\n", e.what(), e.code,
                  dynamic_cast<const DeepError*>(&e) != nullptr);
    }
    std::printf("unwind trace length %zu, first 12: %s\n", trace.size(), trace.substr(0, 12).c_str());
  }

  trace.clear();
  try {
    rethrower();
  } catch (const AppError& e) {
    std::printf("rethrown: %s code %d trace %s\n", e.what(), e.code, trace.c_str());
  }

  // Nested try: inner handler does not match, outer does.
  try {
    try {
      throw 42;
    } catch (const std::exception&) {
      std::printf("wrong handler\n");
    }
  } catch (int v) {
    std::printf("caught int %d in outer handler\n", v);
  }

  // catch (...) and exception_ptr
  std::exception_ptr saved;
  try {
    throw std::string("a string object");
  } catch (...) {
    saved = std::current_exception();
  }
  try {
    std::rethrow_exception(saved);
  } catch (const std::string& s) {
    std::printf("exception_ptr carried: %s\n", s.c_str());
  }

  // Standard library exceptions
  std::vector<int> v(3);
  try {
    v.at(10) = 1;
  } catch (const std::out_of_range& e) {
    std::printf("vector::at threw out_of_range\n");
  }
  try {
    std::string s("abc");
    s.substr(5);
  } catch (const std::out_of_range&) {
    std::printf("string::substr threw out_of_range\n");
  }
  try {
    std::stoi("not a number");
  } catch (const std::invalid_argument&) {
    std::printf("stoi threw invalid_argument\n");
  }
  try {
    std::vector<char> huge;
    huge.reserve(huge.max_size() + 1);
  } catch (const std::length_error&) {
    std::printf("reserve threw length_error\n");
  }
  try {
    throw std::bad_cast();
  } catch (const std::exception& e) {
    std::printf("bad_cast what: %s\n", e.what());
  }

  // Function-try block in a constructor
  try {
    Holder h(-1);
  } catch (const std::invalid_argument& e) {
    std::printf("constructor failed: %s\n", e.what());
  }

  // Unwinding through libc's qsort (C frames built with unwind tables)
  int data[] = {5, 3, 13, 1, 8};
  try {
    std::qsort(data, 5, sizeof(int), compare_or_throw);
    std::printf("qsort finished\n");
  } catch (const std::out_of_range& e) {
    std::printf("thrown through qsort: %s\n", e.what());
  }

  // unique_ptr cleanup during unwinding
  trace.clear();
  try {
    auto p = std::make_unique<Guard>('u');
    std::vector<Guard> many;
    many.reserve(3);
    many.emplace_back('x');
    many.emplace_back('y');
    throw std::runtime_error("cleanup");
  } catch (const std::exception& e) {
    std::printf("%s trace %s\n", e.what(), trace.c_str());
  }

  // noexcept function values and uncaught_exceptions
  std::printf("uncaught exceptions now: %d\n", std::uncaught_exceptions());
  std::printf("done\n");
  return 0;
}
