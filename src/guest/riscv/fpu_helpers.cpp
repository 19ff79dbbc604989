// The F/D helpers called from translated code (see fpu_helpers.h): operand
// unboxing, rounding-mode resolution, fflags accrual around the fpu.h
// operations.
#include "guest/riscv/fpu_helpers.h"

#include "exec/cpu.h"
#include "guest/riscv/cpu.h"
#include "guest/riscv/fpu.h"
#include "ir/helper.h"

namespace mimic::riscv {

namespace {

using fpu::Rm;

RiscvCpu* cpu_of(void* env) { return static_cast<RiscvCpu*>(env); }

// The rounding mode of an instruction: its rm field, or frm when rm is DYN.
// A reserved frm makes the instruction illegal (§11.2); the exit leaves
// before anything is written.
Rm resolve_rm(RiscvCpu* cpu, uint64_t rm) {
  if (rm == fpu::kRmDyn) rm = cpu->frm;
  if (rm > fpu::kRmm) exec::raise_exit(&cpu->common, kExitIllegal);
  return static_cast<Rm>(rm);
}

void accrue(RiscvCpu* cpu, uint32_t flags) {
  if (flags != 0) cpu->fflags |= flags;
}

// Register value <-> operand of format T.
template <class T>
T arg(uint64_t v) {
  if constexpr (sizeof(T) == 4) {
    return fpu::unbox32(v);
  } else {
    return v;
  }
}
template <class T>
uint64_t result(T v) {
  if constexpr (sizeof(T) == 4) {
    return fpu::box32(v);
  } else {
    return v;
  }
}

template <class T, T (*Op)(T, T, Rm, uint32_t&)>
uint64_t h_arith2(void* env, uint64_t a, uint64_t b, uint64_t rm, uint64_t) {
  RiscvCpu* cpu = cpu_of(env);
  const Rm mode = resolve_rm(cpu, rm);
  uint32_t flags = 0;
  const T r = Op(arg<T>(a), arg<T>(b), mode, flags);
  accrue(cpu, flags);
  return result(r);
}

template <class T>
uint64_t h_sqrt(void* env, uint64_t a, uint64_t rm, uint64_t, uint64_t) {
  RiscvCpu* cpu = cpu_of(env);
  const Rm mode = resolve_rm(cpu, rm);
  uint32_t flags = 0;
  const T r = fpu::sqrt(arg<T>(a), mode, flags);
  accrue(cpu, flags);
  return result(r);
}

template <class T>
uint64_t h_fma(void* env, uint64_t a, uint64_t b, uint64_t c, uint64_t rm) {
  RiscvCpu* cpu = cpu_of(env);
  const Rm mode = resolve_rm(cpu, rm);
  uint32_t flags = 0;
  const T r = fpu::fma(arg<T>(a), arg<T>(b), arg<T>(c), mode, flags);
  accrue(cpu, flags);
  return result(r);
}

template <class T, T (*Op)(T, T, uint32_t&)>
uint64_t h_minmax(void* env, uint64_t a, uint64_t b, uint64_t, uint64_t) {
  uint32_t flags = 0;
  const T r = Op(arg<T>(a), arg<T>(b), flags);
  accrue(cpu_of(env), flags);
  return result(r);
}

template <class T, bool (*Op)(T, T, uint32_t&)>
uint64_t h_compare(void* env, uint64_t a, uint64_t b, uint64_t, uint64_t) {
  uint32_t flags = 0;
  const bool r = Op(arg<T>(a), arg<T>(b), flags);
  accrue(cpu_of(env), flags);
  return r ? 1 : 0;
}

template <class T>
uint64_t h_fclass(void*, uint64_t a, uint64_t, uint64_t, uint64_t) {
  return fpu::classify(arg<T>(a));
}

template <class T>
uint64_t h_to_int(void* env, uint64_t a, uint64_t rm, uint64_t kind, uint64_t) {
  RiscvCpu* cpu = cpu_of(env);
  const Rm mode = resolve_rm(cpu, rm);
  uint32_t flags = 0;
  const uint64_t r = fpu::to_int(arg<T>(a), static_cast<fpu::IntKind>(kind & 3), mode, flags);
  accrue(cpu, flags);
  return r;
}

template <class T>
uint64_t h_from_int(void* env, uint64_t x, uint64_t rm, uint64_t kind, uint64_t) {
  RiscvCpu* cpu = cpu_of(env);
  const Rm mode = resolve_rm(cpu, rm);
  uint32_t flags = 0;
  const T r = fpu::from_int<T>(x, static_cast<fpu::IntKind>(kind & 3), mode, flags);
  accrue(cpu, flags);
  return result(r);
}

uint64_t h_f64_to_f32(void* env, uint64_t a, uint64_t rm, uint64_t, uint64_t) {
  RiscvCpu* cpu = cpu_of(env);
  const Rm mode = resolve_rm(cpu, rm);
  uint32_t flags = 0;
  const uint32_t r = fpu::f64_to_f32(a, mode, flags);
  accrue(cpu, flags);
  return fpu::box32(r);
}

// fcvt.d.s is exact, but its rm field is still decoded as usual (§11.7: a
// reserved or invalid dynamic mode is illegal).
uint64_t h_f32_to_f64(void* env, uint64_t a, uint64_t rm, uint64_t, uint64_t) {
  RiscvCpu* cpu = cpu_of(env);
  resolve_rm(cpu, rm);
  uint32_t flags = 0;
  const uint64_t r = fpu::f32_to_f64(fpu::unbox32(a), flags);
  accrue(cpu, flags);
  return r;
}

// Rounding helpers read frm and may raise; all but fclass write fflags.
constexpr uint32_t kArith = ir::kHelperReadsEnv | ir::kHelperWritesEnv | ir::kHelperMayRaise;
constexpr uint32_t kFlagsOnly = ir::kHelperReadsEnv | ir::kHelperWritesEnv;

uint32_t reg(const char* name, ir::HelperFn fn, uint32_t flags) {
  return ir::register_helper({name, fn, flags});
}

template <class T>
void register_format(FpHelperIds& ids, int f, const char* const names[]) {
  ids.add[f] = reg(names[0], &h_arith2<T, &fpu::add<T>>, kArith);
  ids.sub[f] = reg(names[1], &h_arith2<T, &fpu::sub<T>>, kArith);
  ids.mul[f] = reg(names[2], &h_arith2<T, &fpu::mul<T>>, kArith);
  ids.div[f] = reg(names[3], &h_arith2<T, &fpu::div<T>>, kArith);
  ids.sqrt[f] = reg(names[4], &h_sqrt<T>, kArith);
  ids.fma[f] = reg(names[5], &h_fma<T>, kArith);
  ids.min[f] = reg(names[6], &h_minmax<T, &fpu::min<T>>, kFlagsOnly);
  ids.max[f] = reg(names[7], &h_minmax<T, &fpu::max<T>>, kFlagsOnly);
  ids.feq[f] = reg(names[8], &h_compare<T, &fpu::feq<T>>, kFlagsOnly);
  ids.flt[f] = reg(names[9], &h_compare<T, &fpu::flt<T>>, kFlagsOnly);
  ids.fle[f] = reg(names[10], &h_compare<T, &fpu::fle<T>>, kFlagsOnly);
  ids.fclass[f] = reg(names[11], &h_fclass<T>, ir::kHelperPure);
  ids.to_int[f] = reg(names[12], &h_to_int<T>, kArith);
  ids.from_int[f] = reg(names[13], &h_from_int<T>, kArith);
}

FpHelperIds register_all() {
  static const char* const kSingle[] = {
      "riscv_fadd_s",  "riscv_fsub_s",   "riscv_fmul_s",     "riscv_fdiv_s",    "riscv_fsqrt_s",
      "riscv_fmadd_s", "riscv_fmin_s",   "riscv_fmax_s",     "riscv_feq_s",     "riscv_flt_s",
      "riscv_fle_s",   "riscv_fclass_s", "riscv_fcvt_int_s", "riscv_fcvt_s_int"};
  static const char* const kDouble[] = {
      "riscv_fadd_d",  "riscv_fsub_d",   "riscv_fmul_d",     "riscv_fdiv_d",    "riscv_fsqrt_d",
      "riscv_fmadd_d", "riscv_fmin_d",   "riscv_fmax_d",     "riscv_feq_d",     "riscv_flt_d",
      "riscv_fle_d",   "riscv_fclass_d", "riscv_fcvt_int_d", "riscv_fcvt_d_int"};
  FpHelperIds ids{};
  register_format<uint32_t>(ids, 0, kSingle);
  register_format<uint64_t>(ids, 1, kDouble);
  ids.f64_to_f32 = reg("riscv_fcvt_s_d", &h_f64_to_f32, kArith);
  ids.f32_to_f64 = reg("riscv_fcvt_d_s", &h_f32_to_f64, kArith);
  return ids;
}

const FpHelperIds g_ids = register_all();

}  // namespace

const FpHelperIds& fp_helper_ids() { return g_ids; }

}  // namespace mimic::riscv
