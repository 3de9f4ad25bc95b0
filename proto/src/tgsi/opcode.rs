//! The opcode table: every TGSI opcode virglrenderer's text parser knows, with its operand
//! counts.
//!
//! Rows follow virglrenderer's `enum tgsi_opcode` (`p_shader_tokens.h`) and `tgsi_info.c`,
//! which are what parses the text on the host. Each row also gives Mesa's number
//! (`tgsi_info_opcodes.h`, where the line order is the number), or `-` for the opcodes Mesa
//! has since removed. Mesa opcodes virglrenderer lacks (`DEMOTE`, `READ_HELPER`, `LDEXP`,
//! `ATOMFADD`, `BALLOT`, `READ_INVOC`, `READ_FIRST`, `IMG2HND`, `SAMP2HND`, `LOD`,
//! `ATOMINC_WRAP`, `ATOMDEC_WRAP`) are left out: the host rejects them. Operand counts,
//! texture and branch flags agree between the two tables for every shared opcode; the output
//! mode is Mesa's where Mesa still has the opcode.

use std::fmt;

/// What an opcode writes to its destination (`enum tgsi_output_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputMode {
    /// No destination.
    NoResult,
    /// Each written component depends only on the same source components.
    Componentwise,
    /// One scalar result replicated to every written component.
    Replicate,
    /// Each component is computed differently (`LIT`, `EXP`, ...).
    ChannelDependent,
    /// Anything else: texture, memory and special opcodes.
    Other,
}

/// The facts about one opcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpcodeInfo {
    /// The mnemonic.
    pub name: &'static str,
    /// `TGSI_OPCODE_*` in virglrenderer.
    pub virgl: u16,
    /// `TGSI_OPCODE_*` in current Mesa, if Mesa still has the opcode.
    pub mesa: Option<u16>,
    /// Destination operands.
    pub num_dst: u8,
    /// Source operands.
    pub num_src: u8,
    pub output: OutputMode,
    /// Takes a texture target after its sources (`TEX ..., 2D`).
    pub is_tex: bool,
    /// May end with a branch label (`IF ... :8`).
    pub is_branch: bool,
    /// Closes a block: printed one level less indented.
    pub dedent: bool,
    /// Opens a block: the following lines are printed one level more indented.
    pub indent: bool,
}

macro_rules! mesa_number {
    (-) => {
        None
    };
    ($n:literal) => {
        Some($n)
    };
}

macro_rules! has_flag {
    ($want:ident;) => {
        false
    };
    (tex; tex $($rest:ident)*) => { true };
    (branch; branch $($rest:ident)*) => { true };
    (dedent; dedent $($rest:ident)*) => { true };
    (indent; indent $($rest:ident)*) => { true };
    ($want:ident; $other:ident $($rest:ident)*) => { has_flag!($want; $($rest)*) };
}

macro_rules! opcodes {
    ($($variant:ident $name:literal $virgl:literal $mesa:tt $dst:literal $src:literal $output:ident $($flag:ident)*;)+) => {
        /// A TGSI opcode.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Opcode {
            $(#[doc = concat!("`", $name, "`")] $variant,)+
        }

        impl Opcode {
            /// Every opcode, in virglrenderer's numeric order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant),+];

            /// The row of the table.
            pub const fn info(self) -> OpcodeInfo {
                match self {
                    $(Opcode::$variant => OpcodeInfo {
                        name: $name,
                        virgl: $virgl,
                        mesa: mesa_number!($mesa),
                        num_dst: $dst,
                        num_src: $src,
                        output: OutputMode::$output,
                        is_tex: has_flag!(tex; $($flag)*),
                        is_branch: has_flag!(branch; $($flag)*),
                        dedent: has_flag!(dedent; $($flag)*),
                        indent: has_flag!(indent; $($flag)*),
                    },)+
                }
            }
        }
    };
}

opcodes! {
    // variant      mnemonic        virgl mesa dst src output          flags
    Arl             "ARL"                0   0  1 1  Componentwise;
    Mov             "MOV"                1   1  1 1  Componentwise;
    Lit             "LIT"                2   -  1 1  ChannelDependent;
    Rcp             "RCP"                3   3  1 1  Replicate;
    Rsq             "RSQ"                4   4  1 1  Replicate;
    Exp             "EXP"                5   -  1 1  ChannelDependent;
    Log             "LOG"                6   -  1 1  ChannelDependent;
    Mul             "MUL"                7   7  1 2  Componentwise;
    Add             "ADD"                8   8  1 2  Componentwise;
    Dp3             "DP3"                9   9  1 2  Replicate;
    Dp4             "DP4"               10  10  1 2  Replicate;
    Dst             "DST"               11   -  1 2  ChannelDependent;
    Min             "MIN"               12  12  1 2  Componentwise;
    Max             "MAX"               13  13  1 2  Componentwise;
    Slt             "SLT"               14  14  1 2  Componentwise;
    Sge             "SGE"               15  15  1 2  Componentwise;
    Mad             "MAD"               16  16  1 3  Componentwise;
    Sub             "SUB"               17   -  1 2  Componentwise;
    Lrp             "LRP"               18  18  1 3  Componentwise;
    Fma             "FMA"               19  19  1 3  Componentwise;
    Sqrt            "SQRT"              20  20  1 1  Replicate;
    Frc             "FRC"               21  24  1 1  Componentwise;
    Flr             "FLR"               22  26  1 1  Componentwise;
    Round           "ROUND"             23  27  1 1  Componentwise;
    Ex2             "EX2"               24  28  1 1  Replicate;
    Lg2             "LG2"               25  29  1 1  Replicate;
    Pow             "POW"               26  30  1 2  Replicate;
    Xpd             "XPD"               27   -  1 2  Componentwise;
    Abs             "ABS"               28   -  1 1  Componentwise;
    Dph             "DPH"               29   -  1 2  Replicate;
    Cos             "COS"               30  36  1 1  Replicate;
    Ddx             "DDX"               31  37  1 1  Componentwise;
    Ddy             "DDY"               32  38  1 1  Componentwise;
    Kill            "KILL"              33  39  0 0  NoResult;
    Pk2h            "PK2H"              34  40  1 1  Replicate;
    Pk2us           "PK2US"             35   -  1 1  Componentwise;
    Pk4b            "PK4B"              36   -  1 1  Componentwise;
    Pk4ub           "PK4UB"             37   -  1 1  Componentwise;
    Seq             "SEQ"               38  45  1 2  Componentwise;
    Sgt             "SGT"               39  47  1 2  Componentwise;
    Sin             "SIN"               40  48  1 1  Replicate;
    Sle             "SLE"               41  49  1 2  Componentwise;
    Sne             "SNE"               42  50  1 2  Componentwise;
    Tex             "TEX"               43  52  1 2  Other            tex;
    Txd             "TXD"               44  53  1 4  Other            tex;
    Txp             "TXP"               45  54  1 2  Other            tex;
    Up2h            "UP2H"              46  55  1 1  ChannelDependent;
    Up2us           "UP2US"             47  56  1 1  ChannelDependent;
    Up4b            "UP4B"              48  57  1 1  ChannelDependent;
    Up4ub           "UP4UB"             49  58  1 1  ChannelDependent;
    Arr             "ARR"               50  61  1 1  Componentwise;
    Cal             "CAL"               51  63  0 0  NoResult         branch;
    Ret             "RET"               52  64  0 0  NoResult;
    Ssg             "SSG"               53  65  1 1  Componentwise;
    Cmp             "CMP"               54  66  1 3  Componentwise;
    Scs             "SCS"               55   -  1 1  ChannelDependent;
    Txb             "TXB"               56  68  1 2  Other            tex;
    Fbfetch         "FBFETCH"           57  69  1 1  Other;
    Div             "DIV"               58  70  1 2  Componentwise;
    Dp2             "DP2"               59  71  1 2  Replicate;
    Txl             "TXL"               60  72  1 2  Other            tex;
    Brk             "BRK"               61  73  0 0  NoResult;
    If              "IF"                62  74  0 1  NoResult         branch indent;
    Uif             "UIF"               63  75  0 1  NoResult         branch indent;
    Else            "ELSE"              64  77  0 0  NoResult         branch dedent indent;
    Endif           "ENDIF"             65  78  0 0  NoResult         dedent;
    DdxFine         "DDX_FINE"          66  79  1 1  Componentwise;
    DdyFine         "DDY_FINE"          67  80  1 1  Componentwise;
    Ceil            "CEIL"              68  83  1 1  Componentwise;
    I2f             "I2F"               69  84  1 1  Componentwise;
    Not             "NOT"               70  85  1 1  Componentwise;
    Trunc           "TRUNC"             71  86  1 1  Componentwise;
    Shl             "SHL"               72  87  1 2  Componentwise;
    And             "AND"               73  89  1 2  Componentwise;
    Or              "OR"                74  90  1 2  Componentwise;
    Mod             "MOD"               75  91  1 2  Componentwise;
    Xor             "XOR"               76  92  1 2  Componentwise;
    Txf             "TXF"               77  94  1 2  Other            tex;
    Txq             "TXQ"               78  95  1 2  Other            tex;
    Cont            "CONT"              79  96  0 0  NoResult;
    Emit            "EMIT"              80  97  0 1  NoResult;
    Endprim         "ENDPRIM"           81  98  0 1  NoResult;
    Bgnloop         "BGNLOOP"           82  99  0 0  NoResult         branch indent;
    Bgnsub          "BGNSUB"            83 100  0 0  NoResult         indent;
    Endloop         "ENDLOOP"           84 101  0 0  NoResult         branch dedent;
    Endsub          "ENDSUB"            85 102  0 0  NoResult         dedent;
    Txqs            "TXQS"              86 104  1 1  Other            tex;
    Resq            "RESQ"              87 105  1 1  Other;
    Nop             "NOP"               88 107  0 0  NoResult;
    Fseq            "FSEQ"              89 108  1 2  Componentwise;
    Fsge            "FSGE"              90 109  1 2  Componentwise;
    Fslt            "FSLT"              91 110  1 2  Componentwise;
    Fsne            "FSNE"              92 111  1 2  Componentwise;
    Membar          "MEMBAR"            93 112  0 1  Other;
    VoteAny         "VOTE_ANY"          94 223  1 1  Componentwise;
    VoteAll         "VOTE_ALL"          95 224  1 1  Componentwise;
    VoteEq          "VOTE_EQ"           96 225  1 1  Componentwise;
    KillIf          "KILL_IF"           97 116  0 1  NoResult;
    End             "END"               98 117  0 0  NoResult;
    Dfma            "DFMA"              99 118  1 3  Componentwise;
    F2i             "F2I"              100 119  1 1  Componentwise;
    Idiv            "IDIV"             101 120  1 2  Componentwise;
    Imax            "IMAX"             102 121  1 2  Componentwise;
    Imin            "IMIN"             103 122  1 2  Componentwise;
    Ineg            "INEG"             104 123  1 1  Componentwise;
    Isge            "ISGE"             105 124  1 2  Componentwise;
    Ishr            "ISHR"             106 125  1 2  Componentwise;
    Islt            "ISLT"             107 126  1 2  Componentwise;
    F2u             "F2U"              108 127  1 1  Componentwise;
    U2f             "U2F"              109 128  1 1  Componentwise;
    Uadd            "UADD"             110 129  1 2  Componentwise;
    Udiv            "UDIV"             111 130  1 2  Componentwise;
    Umad            "UMAD"             112 131  1 3  Componentwise;
    Umax            "UMAX"             113 132  1 2  Componentwise;
    Umin            "UMIN"             114 133  1 2  Componentwise;
    Umod            "UMOD"             115 134  1 2  Componentwise;
    Umul            "UMUL"             116 135  1 2  Componentwise;
    Useq            "USEQ"             117 136  1 2  Componentwise;
    Usge            "USGE"             118 137  1 2  Componentwise;
    Ushr            "USHR"             119 138  1 2  Componentwise;
    Uslt            "USLT"             120 139  1 2  Componentwise;
    Usne            "USNE"             121 140  1 2  Componentwise;
    Switch          "SWITCH"           122 141  0 1  NoResult;
    Case            "CASE"             123 142  0 1  NoResult;
    Default         "DEFAULT"          124 143  0 0  NoResult;
    Endswitch       "ENDSWITCH"        125 144  0 0  NoResult;
    Sample          "SAMPLE"           126 145  1 3  Other;
    SampleI         "SAMPLE_I"         127 146  1 2  Other;
    SampleIMs       "SAMPLE_I_MS"      128 147  1 3  Other;
    SampleB         "SAMPLE_B"         129 148  1 4  Other;
    SampleC         "SAMPLE_C"         130 149  1 4  Other;
    SampleCLz       "SAMPLE_C_LZ"      131 150  1 4  Other;
    SampleD         "SAMPLE_D"         132 151  1 5  Other;
    SampleL         "SAMPLE_L"         133 152  1 4  Other;
    Gather4         "GATHER4"          134 153  1 3  Other;
    Sviewinfo       "SVIEWINFO"        135 154  1 2  Other;
    SamplePos       "SAMPLE_POS"       136 155  1 2  Other;
    SampleInfo      "SAMPLE_INFO"      137 156  1 2  Other;
    Uarl            "UARL"             138 157  1 1  Componentwise;
    Ucmp            "UCMP"             139 158  1 3  Componentwise;
    Iabs            "IABS"             140 159  1 1  Componentwise;
    Issg            "ISSG"             141 160  1 1  Componentwise;
    Load            "LOAD"             142 161  1 2  Other;
    Store           "STORE"            143 162  1 2  Other;
    Barrier         "BARRIER"          144 166  0 0  Other;
    Atomuadd        "ATOMUADD"         145 167  1 3  Other;
    Atomxchg        "ATOMXCHG"         146 168  1 3  Other;
    Atomcas         "ATOMCAS"          147 169  1 4  Other;
    Atomand         "ATOMAND"          148 170  1 3  Other;
    Atomor          "ATOMOR"           149 171  1 3  Other;
    Atomxor         "ATOMXOR"          150 172  1 3  Other;
    Atomumin        "ATOMUMIN"         151 173  1 3  Other;
    Atomumax        "ATOMUMAX"         152 174  1 3  Other;
    Atomimin        "ATOMIMIN"         153 175  1 3  Other;
    Atomimax        "ATOMIMAX"         154 176  1 3  Other;
    Tex2            "TEX2"             155 177  1 3  Other            tex;
    Txb2            "TXB2"             156 178  1 3  Other            tex;
    Txl2            "TXL2"             157 179  1 3  Other            tex;
    ImulHi          "IMUL_HI"          158 180  1 2  Componentwise;
    UmulHi          "UMUL_HI"          159 181  1 2  Componentwise;
    Tg4             "TG4"              160 182  1 3  Other            tex;
    Lodq            "LODQ"             161 183  1 2  Other            tex;
    Ibfe            "IBFE"             162 184  1 3  Componentwise;
    Ubfe            "UBFE"             163 185  1 3  Componentwise;
    Bfi             "BFI"              164 186  1 4  Componentwise;
    Brev            "BREV"             165 187  1 1  Componentwise;
    Popc            "POPC"             166 188  1 1  Componentwise;
    Lsb             "LSB"              167 189  1 1  Componentwise;
    Imsb            "IMSB"             168 190  1 1  Componentwise;
    Umsb            "UMSB"             169 191  1 1  Componentwise;
    InterpCentroid  "INTERP_CENTROID"  170 192  1 1  Other;
    InterpSample    "INTERP_SAMPLE"    171 193  1 2  Other;
    InterpOffset    "INTERP_OFFSET"    172 194  1 2  Other;
    F2d             "F2D"              173 195  1 1  Componentwise;
    D2f             "D2F"              174 196  1 1  Componentwise;
    Dabs            "DABS"             175 197  1 1  Componentwise;
    Dneg            "DNEG"             176 198  1 1  Componentwise;
    Dadd            "DADD"             177 199  1 2  Componentwise;
    Dmul            "DMUL"             178 200  1 2  Componentwise;
    Dmax            "DMAX"             179 201  1 2  Componentwise;
    Dmin            "DMIN"             180 202  1 2  Componentwise;
    Dslt            "DSLT"             181 203  1 2  Componentwise;
    Dsge            "DSGE"             182 204  1 2  Componentwise;
    Dseq            "DSEQ"             183 205  1 2  Componentwise;
    Dsne            "DSNE"             184 206  1 2  Componentwise;
    Drcp            "DRCP"             185 207  1 1  Componentwise;
    Dsqrt           "DSQRT"            186 208  1 1  Componentwise;
    Dmad            "DMAD"             187 209  1 3  Componentwise;
    Dfrac           "DFRAC"            188 210  1 1  Componentwise;
    Dldexp          "DLDEXP"           189 211  1 2  Componentwise;
    Dfracexp        "DFRACEXP"         190   -  2 1  Componentwise;
    D2i             "D2I"              191 213  1 1  Componentwise;
    I2d             "I2D"              192 214  1 1  Componentwise;
    D2u             "D2U"              193 215  1 1  Componentwise;
    U2d             "U2D"              194 216  1 1  Componentwise;
    Drsq            "DRSQ"             195 217  1 1  Componentwise;
    Dtrunc          "DTRUNC"           196 218  1 1  Componentwise;
    Dceil           "DCEIL"            197 219  1 1  Componentwise;
    Dflr            "DFLR"             198 220  1 1  Componentwise;
    Dround          "DROUND"           199 221  1 1  Componentwise;
    Dssg            "DSSG"             200 222  1 1  Componentwise;
    Ddiv            "DDIV"             201 248  1 2  Componentwise;
    Clock           "CLOCK"            202  33  1 0  Other;
    I64abs          "I64ABS"           203 236  1 1  Componentwise;
    I64neg          "I64NEG"           204 238  1 1  Componentwise;
    I64ssg          "I64SSG"           205 237  1 1  Componentwise;
    I64slt          "I64SLT"           206 228  1 2  Componentwise;
    I64sge          "I64SGE"           207 230  1 2  Componentwise;
    I64min          "I64MIN"           208 232  1 2  Componentwise;
    I64max          "I64MAX"           209 234  1 2  Componentwise;
    I64shr          "I64SHR"           210 242  1 2  Componentwise;
    I64div          "I64DIV"           211 244  1 2  Componentwise;
    I64mod          "I64MOD"           212 246  1 2  Componentwise;
    F2i64           "F2I64"            213  23  1 1  Componentwise;
    U2i64           "U2I64"            214  32  1 1  Componentwise;
    I2i64           "I2I64"            215  34  1 1  Componentwise;
    D2i64           "D2I64"            216  46  1 1  Componentwise;
    I642f           "I642F"            217  60  1 1  Componentwise;
    I642d           "I642D"            218  62  1 1  Componentwise;
    U64add          "U64ADD"           219 239  1 2  Componentwise;
    U64mul          "U64MUL"           220 240  1 2  Componentwise;
    U64seq          "U64SEQ"           221 226  1 2  Componentwise;
    U64sne          "U64SNE"           222 227  1 2  Componentwise;
    U64slt          "U64SLT"           223 229  1 2  Componentwise;
    U64sge          "U64SGE"           224 231  1 2  Componentwise;
    U64min          "U64MIN"           225 233  1 2  Componentwise;
    U64max          "U64MAX"           226 235  1 2  Componentwise;
    U64shl          "U64SHL"           227 241  1 2  Componentwise;
    U64shr          "U64SHR"           228 243  1 2  Componentwise;
    U64div          "U64DIV"           229 245  1 2  Componentwise;
    U64mod          "U64MOD"           230 247  1 2  Componentwise;
    F2u64           "F2U64"            231  22  1 1  Componentwise;
    D2u64           "D2U64"            232  44  1 1  Componentwise;
    U642f           "U642F"            233  59  1 1  Componentwise;
    U642d           "U642D"            234  51  1 1  Componentwise;
}

impl Opcode {
    /// The mnemonic.
    pub const fn name(self) -> &'static str {
        self.info().name
    }

    /// The opcode spelled `name`, ignoring case.
    pub fn from_name(name: &str) -> Option<Opcode> {
        Opcode::ALL
            .iter()
            .copied()
            .find(|o| o.name().eq_ignore_ascii_case(name))
    }

    /// The opcode with virglrenderer's number `n`.
    pub fn from_virgl(n: u16) -> Option<Opcode> {
        Opcode::ALL.get(usize::from(n)).copied()
    }

    /// The opcode with Mesa's number `n`.
    pub fn from_mesa(n: u16) -> Option<Opcode> {
        Opcode::ALL
            .iter()
            .copied()
            .find(|o| o.info().mesa == Some(n))
    }

    /// Destination operand count.
    pub const fn num_dst(self) -> usize {
        self.info().num_dst as usize
    }

    /// Source operand count.
    pub const fn num_src(self) -> usize {
        self.info().num_src as usize
    }

    /// Whether the instruction carries texture information, and so may take up to four
    /// texture offsets: texture opcodes, and the `SAMPLE*`/`GATHER4` family, which name no
    /// target (`tgsi_text.c` sets the texture bit for opcodes `SAMPLE..=GATHER4`).
    pub fn has_texture(self) -> bool {
        self.info().is_tex || (Opcode::Sample..=Opcode::Gather4).contains(&self)
    }

    /// Whether the instruction takes memory qualifiers, a texture target and a format after
    /// its operands: `LOAD..=ATOMIMAX` but `BARRIER`, and `RESQ` (`tgsi_text.c`).
    pub fn is_memory(self) -> bool {
        ((Opcode::Load..=Opcode::Atomimax).contains(&self) && self != Opcode::Barrier)
            || self == Opcode::Resq
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
