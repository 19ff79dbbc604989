// The x86-64 JIT's system-mode memory path with the real softMMU
// (memory/softmmu*.cpp) over an AddressSpace holding RAM and a device,
// translated by test hooks (a one-level map of 4 KiB virtual pages with
// permissions; failures raise a guest exception recording the fault).
// Blocks run with mmu_idx >= 0 on
//   - the JIT with cacheable translations (inline TLB hits),
//   - the JIT with translations valid for one access only (page_bits 11:
//     every access takes the slow path),
//   - the interpreter, once it implements system mode (detected),
// and must leave the same guest registers, env, RAM, device accesses (in
// order) and exit, and at a guest fault the same pc, insn_pc and fault.
//
// MIMIC_JIT_SEEDS=N runs N random seeds instead of the default.
#include <gtest/gtest.h>

#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "backend/interp/interp.h"
#include "backend/x86_64/jit.h"
#include "ir/opt/opt.h"
#include "ir/print.h"
#include "ir_random.h"
#include "memory/address_space.h"
#include "memory/memory_region.h"
#include "memory/softmmu.h"

namespace mimic {
namespace {

using memory::MmuAccess;
using memory::MmuFault;

constexpr uint64_t kRamBase = 0x80000000, kRamSize = 0x4000, kDevBase = 0x10000000;
constexpr unsigned kVPages = 4;  // guest virtual [0, 0x4000) is mapped per page; above faults
constexpr uint64_t kExitMmuFault = ir::kExitGuest + 8;  // + MmuFault

// A device that logs every access; reads return a value derived from the
// position in the log.
struct Device : memory::MmioOps {
  struct Access {
    bool write;
    uint64_t off;
    unsigned size;
    uint64_t value;
    bool operator==(const Access&) const = default;
  };
  std::vector<Access> log;
  uint64_t read(uint64_t off, unsigned size) override {
    uint64_t v = (0x9e3779b97f4a7c15ull * (log.size() + 1)) ^ off;
    if (size < 8) v &= (uint64_t{1} << (8 * size)) - 1;
    log.push_back({false, off, size, v});
    return v;
  }
  void write(uint64_t off, uint64_t v, unsigned size) override { log.push_back({true, off, size, v}); }
};

struct PageMap {
  uint64_t paddr[kVPages];
  unsigned prot[kVPages];
  bool cacheable = true;
};
PageMap g_map;  // read by the hooks (tests are single-threaded)

bool translate(exec::CpuCommon*, uint64_t vaddr, MmuAccess access, unsigned, uint64_t* paddr,
               unsigned* prot, unsigned* page_bits, MmuFault* fault) {
  const uint64_t vp = vaddr >> memory::kTlbPageBits;
  const unsigned need = access == MmuAccess::kStore  ? memory::kProtWrite
                        : access == MmuAccess::kLoad ? memory::kProtRead
                                                     : memory::kProtExec;
  if (vp >= kVPages || !(g_map.prot[vp] & need)) {
    *fault = MmuFault::kPage;
    return false;
  }
  *paddr = g_map.paddr[vp] + (vaddr & ~memory::kTlbPageMask);
  *prot = g_map.prot[vp];
  *page_bits = g_map.cacheable ? memory::kTlbPageBits : memory::kTlbPageBits - 1;
  return true;
}

[[noreturn]] void raise(exec::CpuCommon* cpu, uint64_t vaddr, MmuAccess access, MmuFault fault) {
  cpu->fault_addr = vaddr;
  cpu->fault_write = access == MmuAccess::kStore;
  exec::raise_exit(cpu, kExitMmuFault + static_cast<uint64_t>(fault));
}

const memory::SoftMmuHooks kHooks{&translate, &raise};

// Guest state, RAM, the device, and the vCPU's softMMU.
struct SysMachine {
  test::TestCpu cpu;
  memory::AddressSpace as;
  Device dev;
  std::unique_ptr<memory::MemoryRegion> ram = memory::MemoryRegion::make_ram("ram", kRamSize);
  std::unique_ptr<memory::MemoryRegion> mmio = memory::MemoryRegion::make_mmio("dev", 0x1000, &dev);
  std::unique_ptr<memory::SoftMmu> mmu = std::make_unique<memory::SoftMmu>();

  // code_page: a RAM page (index) marked as holding translated code, or -1.
  SysMachine(const test::TestMachine& init, int code_page) {
    EXPECT_TRUE(as.map(kRamBase, ram.get()).ok());
    EXPECT_TRUE(as.map(kDevBase, mmio.get()).ok());
    std::memcpy(cpu.r, init.cpu.r, sizeof cpu.r);
    std::memcpy(cpu.extra, init.cpu.extra, sizeof cpu.extra);
    std::memcpy(ram->host(), init.mem.data(), kRamSize);
    memory::softmmu_attach(&cpu.common, mmu.get(), &as, &kHooks);
    if (code_page >= 0) as.set_code_page(kRamBase + (static_cast<uint64_t>(code_page) << 12), true);
  }
  ~SysMachine() { memory::softmmu_detach(&cpu.common); }
  SysMachine(const SysMachine&) = delete;
  SysMachine& operator=(const SysMachine&) = delete;
};

backend::RunResult run(backend::Backend& be, const ir::Block& b, SysMachine& m) {
  void* code = be.compile(b);
  sigjmp_buf jb;
  backend::RunResult r;
  if (sigsetjmp(jb, 0) == 0) {
    m.cpu.common.jmp = &jb;
    r = be.run(code, &m.cpu.common);
  } else {
    r = {m.cpu.common.exception, -1};
  }
  m.cpu.common.jmp = nullptr;
  be.release(code);
  return r;
}

bool is_fault(uint64_t code) { return code >= kExitMmuFault && code <= kExitMmuFault + 2; }

::testing::AssertionResult same(const SysMachine& a, const SysMachine& b, const backend::RunResult& ra,
                                const backend::RunResult& rb) {
  auto fail = [] { return ::testing::AssertionFailure(); };
  if (ra.code != rb.code) return fail() << "exit code " << ra.code << " vs " << rb.code;
  if (ra.slot != rb.slot) return fail() << "slot";
  for (int i = 0; i < 16; i++)
    if (a.cpu.r[i] != b.cpu.r[i]) return fail() << "r" << i;
  for (int i = 0; i < 8; i++)
    if (a.cpu.extra[i] != b.cpu.extra[i]) return fail() << "extra" << i;
  if (a.cpu.common.pc != b.cpu.common.pc) return fail() << "pc";
  if (is_fault(ra.code)) {
    if (a.cpu.common.insn_pc != b.cpu.common.insn_pc) return fail() << "insn_pc";
    if (a.cpu.common.fault_addr != b.cpu.common.fault_addr) return fail() << "fault_addr";
    if (a.cpu.common.fault_write != b.cpu.common.fault_write) return fail() << "fault_write";
  }
  if (std::memcmp(a.ram->host(), b.ram->host(), kRamSize) != 0) return fail() << "RAM";
  if (a.dev.log != b.dev.log) return fail() << "device accesses";
  return ::testing::AssertionSuccess();
}

// Does the interpreter run system-mode blocks through the softMMU yet? (In
// user mode it would see guest_limit 0 and report kExitFault.)
bool interp_has_system_mode() {
  static const bool yes = [] {
    test::TestMachine init;
    ir::Block blk;
    ir::Builder b(blk);
    b.insn_start(0x100);
    b.mov(b.global(test::reg_off(0), "r0"), b.ld(b.const_i64(0), ir::memop(2)));
    b.exit_tb(ir::kExitGuest);
    blk.mmu_idx = 0;
    const PageMap saved = g_map;
    g_map = PageMap{{kDevBase, kRamBase, kRamBase, kRamBase}, {3, 3, 3, 3}, true};
    SysMachine m(init, -1);
    const auto r = run(backend::interp_backend(), blk, m);
    g_map = saved;
    return r.code == ir::kExitGuest && m.dev.log.size() == 1;
  }();
  return yes;
}

uint64_t seeds() {
  const char* e = std::getenv("MIMIC_JIT_SEEDS");
  return e && *e ? std::strtoull(e, nullptr, 0) : 800;
}

// --- loops around closed stretches (as jit_pin_test.cpp): pinned globals
// live across back edges and slow paths ---

uint32_t add_temp(ir::Block& b, ir::TempKind kind, uint64_t value = 0) {
  ir::TempInfo t{};
  t.type = ir::Type::I64;
  t.kind = kind;
  t.value = value;
  b.temps.push_back(t);
  return static_cast<uint32_t>(b.temps.size() - 1);
}

ir::Op make_op(ir::Opcode opc, std::initializer_list<uint64_t> args) {
  ir::Op op{};
  op.opc = opc;
  op.n_args = static_cast<uint8_t>(args.size());
  int i = 0;
  for (uint64_t a : args) op.args[i++] = a;
  return op;
}

uint64_t branch_label(const ir::Op& op) {
  if (op.opc == ir::Opcode::br) return op.cst(0);
  if (op.opc == ir::Opcode::brcond_i32 || op.opc == ir::Opcode::brcond_i64) return op.cst(1);
  return UINT64_MAX;
}

// [s, e) can be repeated: no branch into or out of it.
bool closed(const ir::Block& b, size_t s, size_t e) {
  for (size_t i = 0; i < b.ops.size(); i++) {
    const uint64_t l = branch_label(b.ops[i]);
    if (l == UINT64_MAX) continue;
    for (size_t j = 0; j < b.ops.size(); j++)
      if (b.ops[j].opc == ir::Opcode::set_label && b.ops[j].cst(0) == l &&
          (i >= s && i < e) != (j >= s && j < e))
        return false;
  }
  return true;
}

// c = n; top: <stretch>; c = c - 1; brcond c > 0, top (n = 1..4).
void add_loop(ir::Block& b, std::mt19937_64& rng) {
  const size_t n = b.ops.size() - 1;  // the last op is the exit
  for (int tries = 0; n > 0 && tries < 30; tries++) {
    const size_t s = rng() % n, e = s + 1 + rng() % (n - s);
    if (!closed(b, s, e)) continue;
    const uint32_t c = add_temp(b, ir::TempKind::Local);
    const uint32_t count = add_temp(b, ir::TempKind::Const, 1 + rng() % 4);
    const uint32_t one = add_temp(b, ir::TempKind::Const, 1);
    const uint32_t zero = add_temp(b, ir::TempKind::Const, 0);
    const uint32_t label = b.n_labels++;
    b.ops.insert(b.ops.begin() + static_cast<long>(e),
                 {make_op(ir::Opcode::sub_i64, {c, c, one}),
                  make_op(ir::Opcode::brcond_i64, {c, zero, static_cast<uint64_t>(ir::Cond::GT), label})});
    b.ops.insert(b.ops.begin() + static_cast<long>(s),
                 {make_op(ir::Opcode::mov_i64, {c, count}), make_op(ir::Opcode::set_label, {label})});
    return;
  }
}

// A random page map: each virtual page is RAM (read-write or read-only), the
// device, or unmapped; RAM pages in shuffled order.
PageMap random_map(std::mt19937_64& rng) {
  PageMap m;
  uint64_t order[kVPages] = {0, 1, 2, 3};
  std::shuffle(order, order + kVPages, rng);
  for (unsigned p = 0; p < kVPages; p++) {
    const unsigned kind = static_cast<unsigned>(rng() % 16);
    m.paddr[p] = kind >= 12 && kind <= 13 ? kDevBase : kRamBase + (order[p] << 12);
    m.prot[p] = kind == 15 ? 0 : kind == 14 ? memory::kProtRead : memory::kProtRead | memory::kProtWrite;
  }
  return m;
}

// Runs blk on the reference(s) and on the JIT with cacheable translations.
void check_block(const ir::Block& blk, const test::TestMachine& init, const PageMap& map, int code_page,
                 const std::string& what, size_t* faults) {
  const bool with_interp = interp_has_system_mode();
  g_map = map;
  g_map.cacheable = true;
  SysMachine jit(init, code_page);
  const auto rj = run(backend::jit_backend(), blk, jit);
  g_map.cacheable = false;
  SysMachine slow(init, code_page);
  const auto rs = run(backend::jit_backend(), blk, slow);
  ASSERT_TRUE(same(slow, jit, rs, rj)) << what << ": JIT uncached vs cached\n" << ir::print(blk);
  if (is_fault(rj.code)) ++*faults;
  if (with_interp) {
    g_map.cacheable = true;
    SysMachine in(init, code_page);
    const auto ri = run(backend::interp_backend(), blk, in);
    ASSERT_TRUE(same(in, jit, ri, rj)) << what << ": interpreter vs JIT\n" << ir::print(blk);
  }
}

TEST(JitSoftmmu, RandomBlocks) {
  if (!interp_has_system_mode())
    std::printf("note: the interpreter has no system mode yet: JIT fast vs slow paths only\n");
  size_t runs = 0, faults = 0;
  for (uint64_t seed = 1; seed <= seeds(); seed++) {
    test::RandomIr gen(seed);
    std::mt19937_64 rng(seed * 65537);
    ir::Block orig = gen.generate(20 + static_cast<int>(seed % 120));
    ir::Block opt = orig;
    ir::optimize(opt);
    for (ir::Block* blk : {&orig, &opt}) {
      blk->mmu_idx = static_cast<int32_t>(rng() % memory::kMaxMmuIdx);
      if (seed % 2 == 0) add_loop(*blk, rng);
      for (int k = 0; k < 2; k++) {
        test::TestMachine init;
        gen.randomize(init);
        const PageMap map = random_map(rng);
        const int code_page = rng() % 3 == 0 ? static_cast<int>(rng() % 4) : -1;
        check_block(*blk, init, map, code_page,
                    "seed " + std::to_string(seed) + (blk == &opt ? " (optimized)" : ""), &faults);
        if (HasFatalFailure()) return;
        runs++;
      }
    }
  }
  std::printf("%zu runs, %zu ended in a guest fault\n", runs, faults);
  EXPECT_GT(faults, runs / 10);
}

// Register pressure: 16 dirty globals and 12 live locals across device and
// RAM accesses (slow and fast paths), then a fault in the middle.
TEST(JitSoftmmu, PressureAcrossSlowPaths) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r[16];
  for (int i = 0; i < 16; i++) r[i] = b.global(test::reg_off(i), "r");
  std::vector<ir::I64> locals;
  b.insn_start(0x600);
  for (int i = 0; i < 16; i++) b.mov(r[i], b.add(r[i], b.const_i64(i + 1)));
  for (int i = 0; i < 12; i++) locals.push_back(b.mul(r[i], b.const_i64(3 + i)));
  for (int k = 0; k < 6; k++) {
    b.insn_start(0x604 + 4 * k);
    const uint64_t va = (k % 3) * 0x1000 + 8 * k + (k == 4 ? 3 : 0);  // device, RAM, RAM; k=4 misaligned
    ir::I64 v = b.ld(b.const_i64(va), ir::memop(k == 4 ? 3 : k % 4, k & 1));
    b.mov(r[k], b.add(r[k], v));
    b.st(b.add(v, locals[k]), b.const_i64(va + 0x100), ir::memop(3));
    b.mov(locals[k + 6], b.xor_(locals[k + 6], v));
  }
  b.insn_start(0x640);
  b.st(r[7], b.and_(r[0], b.const_i64(0x3ff8)), ir::memop(3));  // faults where not writable
  ir::I64 sum = b.const_i64(0);
  for (const ir::I64& l : locals) sum = b.add(sum, l);
  b.mov(r[15], sum);
  b.exit_tb(ir::kExitGuest);
  size_t faults = 0;
  std::mt19937_64 rng(7);
  for (int k = 0; k < 64; k++) {
    blk.mmu_idx = k % 4;
    test::TestMachine init;
    for (int i = 0; i < 16; i++) init.cpu.r[i] = rng();
    for (auto& w : init.mem) w = rng();
    PageMap map{{kDevBase, kRamBase, kRamBase + 0x1000, kRamBase + 0x2000}, {3, 3, 3, 1}, true};
    if (k & 8) map.prot[1] = 1;
    check_block(blk, init, map, k % 5 == 0 ? 1 : -1, "run " + std::to_string(k), &faults);
    if (HasFatalFailure()) return;
  }
  EXPECT_GT(faults, 8u);
  EXPECT_LT(faults, 60u);
}

// A label reached only by a branch taken before the block's first
// insn_start, although an insn_start precedes it in program order: a fault
// there reports the insn_pc the block was entered with (as the interpreter),
// not that insn_start's pc. User mode and system mode.
TEST(JitSoftmmu, FaultAfterLabelReachedOnlyFromEntry) {
  ir::Block blk;
  ir::Builder b(blk);
  ir::I64 r0 = b.global(test::reg_off(0), "r0"), r1 = b.global(test::reg_off(1), "r1");
  ir::Label l = b.new_label();
  b.mov(r1, b.add(r1, b.const_i64(1)));
  b.brcond(ir::Cond::NE, r0, b.const_i64(0), l);
  b.insn_start(0x10004);
  b.exit_tb(ir::kExitGuest);
  b.set_label(l);
  b.mov(r1, b.ld(b.const_i64(0x5000), ir::memop(3)));  // unmapped: faults
  b.exit_tb(ir::kExitGuest + 1);
  for (int sys = 0; sys < 2; sys++) {
    blk.mmu_idx = sys ? 1 : -1;
    test::TestMachine init;
    init.cpu.r[0] = 1;
    init.cpu.common.insn_pc = 0x7777;
    if (sys) {
      g_map = PageMap{{kRamBase, kRamBase, kRamBase, kRamBase}, {3, 3, 3, 3}, true};
      SysMachine a(init, -1), c(init, -1);
      a.cpu.common.insn_pc = c.cpu.common.insn_pc = 0x7777;
      const auto ra = run(backend::interp_backend(), blk, a);
      const auto rc = run(backend::jit_backend(), blk, c);
      EXPECT_EQ(rc.code, kExitMmuFault + static_cast<uint64_t>(MmuFault::kPage));
      EXPECT_EQ(c.cpu.common.pc, 0x7777u);
      EXPECT_TRUE(same(a, c, ra, rc));
    } else {
      test::TestMachine a(init), c(init);
      const auto ra = test::run_block(backend::interp_backend(), blk, a);
      const auto rc = test::run_block(backend::jit_backend(), blk, c);
      EXPECT_EQ(ra.code, ir::kExitFault);
      EXPECT_EQ(rc.code, ir::kExitFault);
      EXPECT_EQ(c.cpu.common.pc, 0x7777u);
      EXPECT_EQ(c.cpu.common.insn_pc, 0x7777u);
      EXPECT_EQ(c.cpu.r[1], a.cpu.r[1]);
    }
  }
}

}  // namespace
}  // namespace mimic
