// CSR names, as GNU binutils 2.40 knows them (privileged spec 1.12, which objdump uses for an ELF
// without .riscv.attributes). The disassembler prints these; the assembler accepts them and a
// few historical aliases.

function range(prefix: string, from: number, to: number, base: number, suffix = ''): [string, number][] {
  const out: [string, number][] = [];
  for (let i = from; i <= to; i++) out.push([`${prefix}${i}${suffix}`, base + i]);
  return out;
}

const NAMED: [string, number][] = [
  ['fflags', 0x001], ['frm', 0x002], ['fcsr', 0x003],
  ['vstart', 0x008], ['vxsat', 0x009], ['vxrm', 0x00a], ['vcsr', 0x00f], ['seed', 0x015],
  ['cycle', 0xc00], ['time', 0xc01], ['instret', 0xc02],
  ['cycleh', 0xc80], ['timeh', 0xc81], ['instreth', 0xc82],
  ['vl', 0xc20], ['vtype', 0xc21], ['vlenb', 0xc22],
  ['sstatus', 0x100], ['sie', 0x104], ['stvec', 0x105], ['scounteren', 0x106], ['senvcfg', 0x10a],
  ['sstateen0', 0x10c], ['sstateen1', 0x10d], ['sstateen2', 0x10e], ['sstateen3', 0x10f],
  ['sieh', 0x114], ['sscratch', 0x140], ['sepc', 0x141], ['scause', 0x142], ['stval', 0x143],
  ['sip', 0x144], ['stimecmp', 0x14d], ['siselect', 0x150], ['sireg', 0x151], ['siph', 0x154],
  ['stopei', 0x15c], ['stimecmph', 0x15d], ['satp', 0x180], ['scontext', 0x5a8],
  ['scountovf', 0xda0], ['stopi', 0xdb0],
  ['vsstatus', 0x200], ['vsie', 0x204], ['vstvec', 0x205], ['vsieh', 0x214], ['vsscratch', 0x240],
  ['vsepc', 0x241], ['vscause', 0x242], ['vstval', 0x243], ['vsip', 0x244], ['vstimecmp', 0x24d],
  ['vsiselect', 0x250], ['vsireg', 0x251], ['vsiph', 0x254], ['vstopei', 0x25c],
  ['vstimecmph', 0x25d], ['vsatp', 0x280], ['vstopi', 0xeb0],
  ['mstatus', 0x300], ['misa', 0x301], ['medeleg', 0x302], ['mideleg', 0x303], ['mie', 0x304],
  ['mtvec', 0x305], ['mcounteren', 0x306], ['mvien', 0x308], ['mvip', 0x309], ['menvcfg', 0x30a],
  ['mstateen0', 0x30c], ['mstateen1', 0x30d], ['mstateen2', 0x30e], ['mstateen3', 0x30f],
  ['mstatush', 0x310], ['midelegh', 0x313], ['mieh', 0x314], ['mvienh', 0x318], ['mviph', 0x319],
  ['menvcfgh', 0x31a], ['mstateen0h', 0x31c], ['mstateen1h', 0x31d], ['mstateen2h', 0x31e],
  ['mstateen3h', 0x31f], ['mcountinhibit', 0x320], ['mscratch', 0x340], ['mepc', 0x341],
  ['mcause', 0x342], ['mtval', 0x343], ['mip', 0x344], ['mtinst', 0x34a], ['mtval2', 0x34b],
  ['miselect', 0x350], ['mireg', 0x351], ['miph', 0x354], ['mtopei', 0x35c],
  ['mseccfg', 0x747], ['mseccfgh', 0x757],
  ['tselect', 0x7a0], ['tdata1', 0x7a1], ['tdata2', 0x7a2], ['tdata3', 0x7a3], ['tinfo', 0x7a4],
  ['tcontrol', 0x7a5], ['mcontext', 0x7a8], ['mscontext', 0x7aa],
  ['dcsr', 0x7b0], ['dpc', 0x7b1], ['dscratch0', 0x7b2], ['dscratch1', 0x7b3],
  ['mcycle', 0xb00], ['minstret', 0xb02], ['mcycleh', 0xb80], ['minstreth', 0xb82],
  ['mvendorid', 0xf11], ['marchid', 0xf12], ['mimpid', 0xf13], ['mhartid', 0xf14],
  ['mconfigptr', 0xf15], ['mtopi', 0xfb0],
  ['hstatus', 0x600], ['hedeleg', 0x602], ['hideleg', 0x603], ['hie', 0x604], ['htimedelta', 0x605],
  ['hcounteren', 0x606], ['hgeie', 0x607], ['hvien', 0x608], ['hvictl', 0x609], ['henvcfg', 0x60a],
  ['hstateen0', 0x60c], ['hstateen1', 0x60d], ['hstateen2', 0x60e], ['hstateen3', 0x60f],
  ['hidelegh', 0x613], ['htimedeltah', 0x615], ['hvienh', 0x618], ['henvcfgh', 0x61a],
  ['hstateen0h', 0x61c], ['hstateen1h', 0x61d], ['hstateen2h', 0x61e], ['hstateen3h', 0x61f],
  ['htval', 0x643], ['hip', 0x644], ['hvip', 0x645], ['hviprio1', 0x646], ['hviprio2', 0x647],
  ['htinst', 0x64a], ['hviph', 0x655], ['hviprio1h', 0x656], ['hviprio2h', 0x657], ['hgatp', 0x680],
  ['hcontext', 0x6a8], ['hgeip', 0xe12],
  ...range('mhpmevent', 3, 31, 0x320),
  ...range('mhpmevent', 3, 31, 0x720, 'h'),
  ...range('mhpmcounter', 3, 31, 0xb00),
  ...range('mhpmcounter', 3, 31, 0xb80, 'h'),
  ...range('hpmcounter', 3, 31, 0xc00),
  ...range('hpmcounter', 3, 31, 0xc80, 'h'),
  ...range('pmpcfg', 0, 15, 0x3a0),
  ...range('pmpaddr', 0, 63, 0x3b0),
];

/** Historical names GNU as still accepts; never printed. */
const ALIASES: [string, number][] = [
  ['ubadaddr', 0x043], ['sbadaddr', 0x143], ['sptbr', 0x180], ['mbadaddr', 0x343],
  ['mucounteren', 0x320], ['dscratch', 0x7b2],
];

const NAME_OF = new Map<number, string>(NAMED.map(([n, v]) => [v, n]));
const NUMBER_OF = new Map<string, number>([...NAMED, ...ALIASES]);

/** The name objdump prints for CSR number n, or undefined (objdump then prints 0x...). */
export function csrName(n: number): string | undefined {
  return NAME_OF.get(n);
}

/** The number of a CSR name, or undefined. */
export function csrNumber(name: string): number | undefined {
  return NUMBER_OF.get(name);
}
