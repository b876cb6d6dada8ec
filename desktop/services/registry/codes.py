"""Code lists of the registry: the fixed answers a coded field accepts (user-facing Chinese)."""

SEXES = ("男", "女")

RELATIONS = (
    "户主", "配偶", "之子", "之女", "之儿媳", "之女婿", "之孙子", "之孙女", "之外孙子",
    "之外孙女", "之父", "之母", "之岳父", "之岳母", "之公公", "之婆婆", "之祖父", "之祖母",
    "之兄弟姐妹", "其他",
)  # fmt: skip
HEAD_RELATION = "户主"
# The sex a relation to the head implies (配偶 and 之兄弟姐妹 imply none by themselves).
RELATION_SEX = {
    "之子": "男", "之女婿": "男", "之孙子": "男", "之外孙子": "男", "之父": "男",
    "之岳父": "男", "之公公": "男", "之祖父": "男",
    "之女": "女", "之儿媳": "女", "之孙女": "女", "之外孙女": "女", "之母": "女",
    "之岳母": "女", "之婆婆": "女", "之祖母": "女",
}  # fmt: skip

ETHNICITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族",
    "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族",
    "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族",
    "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族",
    "珞巴族", "基诺族", "其他",
)  # fmt: skip

POLITICAL_STATUSES = ("中共党员", "共青团员", "民主党派", "群众")

EDUCATIONS = ("学龄前儿童", "文盲或半文盲", "小学", "初中", "高中", "中专", "大专及以上")

SCHOOLINGS = (
    "非在校生", "学前教育", "小学", "初中", "高中", "中职", "高职", "大专", "本科及以上",
)  # fmt: skip
NOT_IN_SCHOOL = "非在校生"
COMPULSORY_SCHOOLINGS = ("小学", "初中")

HEALTHS = ("健康", "长期慢性病", "患有大病", "残疾")

LABOUR_ABILITIES = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力")
LABOUR_FORCE = ("普通劳动力", "技能劳动力", "弱劳动力或半劳动力")

WORK_STATUSES = ("无", "乡（镇）内务工", "乡（镇）外县内务工", "县外省内务工", "省外务工", "其他")

POVERTY_KINDS = ("一般贫困户", "低保贫困户", "五保贫困户")  # 建档立卡 households
SPECIAL_KINDS = ("边缘户", "低保户", "分散供养五保户", "重残户", "重病户")  # seed 003
ORDINARY_KIND = "一般农户"
HOUSEHOLD_KINDS = POVERTY_KINDS + SPECIAL_KINDS + (ORDINARY_KIND,)

YES_NO = ("是", "否")

EXIT_YEARS = tuple(range(2014, 2021))
NOT_EXITED = "未脱贫"

POVERTY_CAUSES = (
    "因病", "因残", "因学", "因灾", "缺水", "缺地", "缺技术", "缺劳动力", "缺资金",
    "交通条件落后", "自身发展动力不足", "其它",
)  # fmt: skip

# The eight haves of Guangdong (seed 000), in the order of the verification form.
EIGHT_HAVES = (
    "有安全住房", "有安全饮水", "有电用", "有电视信号覆盖", "有网络信号覆盖", "有教育保障",
    "有医疗保障", "有稳定收入或最低生活保障",
)  # fmt: skip

# Which list each coded roster column accepts.
MEMBER_CODE_LISTS = {
    "sex": SEXES,
    "relation": RELATIONS,
    "ethnicity": ETHNICITIES,
    "education": EDUCATIONS,
    "schooling": SCHOOLINGS,
    "health": HEALTHS,
    "labour_ability": LABOUR_ABILITIES,
    "work_status": WORK_STATUSES,
}


def household_kind(poverty_kind: str, special_kind: str) -> str:
    """Return the one word shown for a household: its 贫困户属性 or its special group."""
    return poverty_kind or special_kind or ORDINARY_KIND
