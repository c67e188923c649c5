"""What the demo centre says: staff, customers, products and message texts.

Every text comes in Chinese (``zh``) and English (``en``). Customer-facing texts
follow the customer's language; internal notes and routing reasons follow the
language of the staff member who writes them. Templates are filled with
``str.format``: ``{product}``, ``{model}``, ``{order}``, ``{salutation}`` ...
(see ``servicedesk.demo.loader`` for the full list).

Every address is under ``example.com`` (reserved by RFC 2606), so nothing sent
from a demo database can reach a real mailbox.
"""

from __future__ import annotations

from typing import NamedTuple

from servicedesk.workflow.seed import (
    AFTER_SALES,
    CLAIMS,
    FOLLOW_UP,
    GENERAL_AFFAIRS,
    INFORMATION,
    INTAKE,
    KEY_ACCOUNTS,
    SALES,
    TRAINING,
)

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (printed for every demo login)
STAFF_DOMAIN = "servicedesk.example.com"

ZH = "zh"
EN = "en"
# The staff locale each text language corresponds to (config LANGUAGES).
STAFF_LOCALES = {ZH: "zh_Hans_CN", EN: "en"}


# --------------------------------------------------------------------------
# Staff
# --------------------------------------------------------------------------


class StaffMember(NamedTuple):
    login: str  # the part before @servicedesk.example.com
    name: str
    role: str
    departments: tuple[str, ...]
    language: str = ZH


ALL_DEPARTMENTS = (
    INTAKE,
    SALES,
    INFORMATION,
    FOLLOW_UP,
    AFTER_SALES,
    CLAIMS,
    TRAINING,
    GENERAL_AFFAIRS,
    KEY_ACCOUNTS,
)

# Every department has at least two agents and one supervisor, so every queue
# has someone to work it and someone to escalate to.
STAFF: tuple[StaffMember, ...] = (
    StaffMember("li.wei", "李伟", "agent", (INTAKE, SALES)),
    StaffMember("wang.fang", "王芳", "agent", (INTAKE,)),
    StaffMember("emily.carter", "Emily Carter", "agent", (INTAKE, KEY_ACCOUNTS), EN),
    StaffMember("zhang.min", "张敏", "agent", (SALES, INFORMATION)),
    StaffMember("liu.yang", "刘洋", "agent", (SALES, KEY_ACCOUNTS)),
    StaffMember("chen.jing", "陈静", "agent", (INFORMATION, FOLLOW_UP)),
    StaffMember("yang.lei", "杨磊", "agent", (FOLLOW_UP,)),
    StaffMember("zhao.li", "赵丽", "agent", (AFTER_SALES,)),
    StaffMember("zhou.jie", "周杰", "agent", (AFTER_SALES, CLAIMS)),
    StaffMember("daniel.weber", "Daniel Weber", "agent", (AFTER_SALES, TRAINING), EN),
    StaffMember("wu.gang", "吴刚", "agent", (CLAIMS, GENERAL_AFFAIRS)),
    StaffMember("xu.ting", "徐婷", "agent", (TRAINING, GENERAL_AFFAIRS)),
    StaffMember(
        "sun.hao", "孙浩", "supervisor", (INTAKE, SALES, INFORMATION, FOLLOW_UP, KEY_ACCOUNTS)
    ),
    StaffMember(
        "huang.min", "黄敏", "supervisor", (AFTER_SALES, CLAIMS, TRAINING, GENERAL_AFFAIRS)
    ),
    StaffMember("zheng.qiang", "郑强", "admin", ALL_DEPARTMENTS),
)


# --------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------


class Company(NamedTuple):
    name: str
    domain: str
    naming: str  # how its people are named: "zh", "en" or "de"
    key_account: bool = False


COMPANIES: tuple[Company, ...] = (
    Company("苏州精工机械有限公司", "sz-jinggong.example.com", "zh", key_account=True),
    Company("无锡华达轴承制造有限公司", "huada-bearing.example.com", "zh"),
    Company("宁波东海液压件有限公司", "donghai-hydraulic.example.com", "zh"),
    Company("常州恒力电机有限公司", "hengli-motor.example.com", "zh"),
    Company("东莞宏图模具有限公司", "hongtu-mould.example.com", "zh"),
    Company("佛山顺联五金制品有限公司", "shunlian-hw.example.com", "zh"),
    Company("青岛北方重工装备有限公司", "bf-heavy.example.com", "zh", key_account=True),
    Company("天津滨海自动化设备有限公司", "binhai-auto.example.com", "zh"),
    Company("重庆长江齿轮箱有限公司", "cj-gearbox.example.com", "zh"),
    Company("成都蜀川数控技术有限公司", "shuchuan-cnc.example.com", "zh"),
    Company("武汉光谷激光科技有限公司", "gg-laser.example.com", "zh"),
    Company("西安秦川精密仪器有限公司", "qinchuan-inst.example.com", "zh"),
    Company("沈阳鑫源机床有限公司", "xinyuan-mt.example.com", "zh"),
    Company("杭州钱塘包装机械有限公司", "qiantang-pack.example.com", "zh"),
    Company("温州瓯江阀门有限公司", "oujiang-valve.example.com", "zh"),
    Company("合肥皖江新能源装备有限公司", "wanjiang-ne.example.com", "zh"),
    Company("郑州中原矿山机械有限公司", "zy-mining.example.com", "zh"),
    Company("大连港湾输送设备有限公司", "gangwan-conv.example.com", "zh"),
    Company("昆山立信电子科技有限公司", "lixin-elec.example.com", "zh"),
    Company("厦门嘉禾食品机械有限公司", "jiahe-food.example.com", "zh"),
    Company("长沙湘江工程机械配件有限公司", "xj-parts.example.com", "zh"),
    Company("济南齐鲁锻压设备有限公司", "qilu-forging.example.com", "zh"),
    Company("南京金陵环保设备有限公司", "jinling-env.example.com", "zh"),
    Company("上海浦江汽车零部件有限公司", "pujiang-auto.example.com", "zh", key_account=True),
    Company("深圳南山智能制造有限公司", "nanshan-im.example.com", "zh", key_account=True),
    Company(
        "Hoffmann Antriebstechnik GmbH", "hoffmann-antriebe.example.com", "de", key_account=True
    ),
    Company("Keller & Braun Maschinenbau GmbH", "keller-braun.example.com", "de"),
    Company("Northbridge Packaging Ltd.", "northbridge-pack.example.com", "en"),
    Company("Vantage Robotics Inc.", "vantage-robotics.example.com", "en"),
    Company("Pacific Rim Fabrication Pty Ltd", "pacrim-fab.example.com", "en"),
)

# (characters, pinyin) pairs for realistic Chinese names and their addresses.
ZH_SURNAMES = (
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"),
    ("杨", "yang"), ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"),
    ("徐", "xu"), ("孙", "sun"), ("马", "ma"), ("朱", "zhu"), ("胡", "hu"),
    ("郭", "guo"), ("何", "he"), ("林", "lin"), ("高", "gao"), ("罗", "luo"),
)  # fmt: skip
ZH_GIVEN = (
    ("建国", "jianguo"), ("晓明", "xiaoming"), ("志强", "zhiqiang"), ("秀英", "xiuying"),
    ("海涛", "haitao"), ("丽华", "lihua"), ("国庆", "guoqing"), ("文静", "wenjing"),
    ("永刚", "yonggang"), ("春燕", "chunyan"), ("俊杰", "junjie"), ("雪梅", "xuemei"),
    ("宏伟", "hongwei"), ("玉兰", "yulan"), ("立新", "lixin"), ("佳怡", "jiayi"),
    ("振华", "zhenhua"), ("慧敏", "huimin"), ("德明", "deming"), ("子涵", "zihan"),
)  # fmt: skip
# How Chinese business mail addresses people: surname plus a title.
ZH_TITLES = ("经理", "工", "总", "主任")
EN_NAMES = (
    ("James", "Miller"), ("Sarah", "Thompson"), ("Michael", "Brown"), ("Olivia", "Clarke"),
    ("David", "Wilson"), ("Emma", "Hughes"), ("Andrew", "Murray"), ("Chloe", "Walsh"),
)  # fmt: skip
DE_NAMES = (
    ("Thomas", "Müller", "mueller"), ("Katrin", "Schmidt", "schmidt"),
    ("Jürgen", "Fischer", "fischer"), ("Anna", "Becker", "becker"),
    ("Stefan", "Wagner", "wagner"), ("Sabine", "Hoffmann", "hoffmann"),
)  # fmt: skip


# --------------------------------------------------------------------------
# Products
# --------------------------------------------------------------------------


class Product(NamedTuple):
    zh: str
    en: str
    model: str  # "{n}" is replaced by a number between low and high
    low: int
    high: int


PRODUCTS: dict[str, Product] = {
    "spindle": Product("数控车床主轴", "CNC lathe spindle", "SP-{n}", 120, 480),
    "pump": Product("液压柱塞泵", "hydraulic piston pump", "HP-A{n}", 10, 140),
    "plc": Product("PLC控制器", "PLC controller", "CP{n}-ETN", 1100, 1900),
    "bearing": Product("深沟球轴承", "deep-groove ball bearing", "62{n}-2RS", 3, 20),
    "belt": Product("钢丝绳芯输送带", "steel-cord conveyor belt", "ST{n}", 630, 3150),
    "laser": Product("光纤激光切割机", "fibre laser cutter", "LC-3015-{n}", 1, 12),
    "servo": Product("伺服电机", "servo motor", "SM-{n}", 40, 180),
    "gearbox": Product("斜齿轮减速机", "helical gearbox", "GR-{n}", 37, 167),
    "inverter": Product("变频器", "frequency inverter", "VF-{n}", 200, 750),
    "compressor": Product("螺杆空压机", "screw air compressor", "AC-{n}A", 11, 90),
    "guide": Product("直线导轨", "linear guide", "HGR{n}", 15, 45),
    "chiller": Product("工业冷水机", "industrial chiller", "CW-{n}", 5200, 6300),
    "robot": Product("焊接机器人", "welding robot", "WR-{n}", 100, 260),
}
# Groups a story may draw its product from: parts (bearings, belts, guides) get
# no training and no engineer's visit; only rotating machines grind and wear
# out bearings.
ANY_PRODUCT = "any"
ANY_MACHINE = "machine"
ROTATING = "rotating"
PRODUCT_GROUPS: dict[str, tuple[str, ...]] = {
    ANY_PRODUCT: tuple(PRODUCTS),
    ANY_MACHINE: tuple(code for code in PRODUCTS if code not in ("bearing", "belt", "guide")),
    ROTATING: ("spindle", "pump", "servo", "gearbox", "compressor"),
}


# --------------------------------------------------------------------------
# What customers write first, by kind of request, and how it ends
# --------------------------------------------------------------------------


class Story(NamedTuple):
    subject: str
    body: str
    resolution: str  # the centre's answer that resolves it
    product: str = ANY_PRODUCT  # a product code or a key of PRODUCT_GROUPS


STORIES: dict[str, dict[str, tuple[Story, ...]]] = {
    "enquiry": {
        ZH: (
            Story(
                "咨询{product} {model} 的价格和交货期",
                "您好：\n\n我司计划采购{product}，型号{model}，数量{qty}台。请问目前含税单价是"
                "多少？交货期多久？如有现货请优先安排。\n\n另外想了解一下贵司的付款方式，"
                "是否接受月结？\n\n{contact}\n{company}",
                "{salutation}您好，{model}目前有现货，报价单已发送到您的邮箱，交货期为下单后"
                "{days}个工作日，可以月结30天。如有其它问题欢迎随时联系。",
            ),
            Story(
                "{model} 能否替代原装老型号",
                "你好，\n\n我们车间一台设备上的{product}原型号已经停产，供应商推荐改用贵司的"
                "{model}。想确认一下安装尺寸、接口和电气参数是否兼容，能否提供图纸和技术参数表？"
                "\n\n谢谢！\n{contact}（{company} 设备科）",
                "{salutation}您好，经技术部确认，{model}与原型号的安装尺寸和接口完全兼容，参数表"
                "和图纸已发到您的邮箱。",
            ),
            Story(
                "索取{product}产品样本和选型手册",
                "您好，我们正在做新产线的设备选型，需要{product}的产品样本、选型手册和三维模型"
                "（STEP格式）。麻烦发到我的邮箱，谢谢。\n\n{contact}\n{company} 技术部",
                "{salutation}您好，{product}的产品样本、选型手册和STEP模型已打包发到您的邮箱，"
                "选型时有任何问题可以直接联系我们的应用工程师。",
            ),
            Story(
                "{product}保修期和备件供应咨询",
                "您好：\n\n去年采购的{product}（{model}）快用满一年了，想咨询一下保修期是一年"
                "还是两年？过保以后常用备件（密封件、轴承）是否有库存，价格大概多少？\n\n{contact}",
                "{salutation}您好，{model}整机保修两年，自验收之日起计算。常用备件常年有库存，"
                "备件价格表已发到您的邮箱。",
                product=ANY_MACHINE,
            ),
        ),
        EN: (
            Story(
                "Price and lead time for {product} {model}",
                "Hello,\n\nWe are planning to order {qty} units of your {product}, model {model}. "
                "Could you send us your current unit price (CIF Hamburg) and lead time? If you "
                "have stock, please let us know.\n\nBest regards,\n{contact}\n{company}",
                "Dear {salutation}, the {model} is in stock. Our quotation is in your inbox; "
                "delivery is {days} working days after your order.",
            ),
            Story(
                "Is the {model} a drop-in replacement?",
                "Hi,\n\nThe {product} on one of our machines is discontinued and our distributor "
                "suggested your {model} instead. Can you confirm that the mounting dimensions, "
                "interfaces and electrical ratings are compatible? A drawing and a datasheet "
                "would help.\n\nThanks,\n{contact}\n{company}",
                "Dear {salutation}, our engineers confirm that the {model} is dimensionally and "
                "electrically compatible. Datasheet and drawing sent by email.",
            ),
            Story(
                "Request for datasheet and CAD model: {model}",
                "Hello,\n\nFor a new production line we need the datasheet, the selection guide "
                "and a 3D model (STEP) of the {product} {model}. Please send them to this "
                "address.\n\nKind regards,\n{contact}\nEngineering, {company}",
                "Dear {salutation}, the datasheet, selection guide and STEP model of the "
                "{model} are in your inbox. Our application engineers are happy to help with "
                "the selection.",
            ),
        ),
    },
    "sales": {
        ZH: (
            Story(
                "订单{order}能否提前发货",
                "您好：\n\n我们上周下的订单{order}（{product} {model}，{qty}台），原定交期是下月"
                "初。现在项目进度提前了，请问能否提前{days}天发货？如需加急费用请告知。\n\n"
                "{contact}\n{company} 采购部",
                "{salutation}您好，订单{order}已安排加急生产，预计{date}发货，不收取加急费用。"
                "发货后物流单号会短信通知您。",
            ),
            Story(
                "申请{product}年度框架协议报价",
                "您好，\n\n我司明年预计采购{product}约{qty}台，希望和贵司签订年度框架协议。请提供"
                "阶梯报价（含税含运）以及账期条件。\n\n采购部 {contact}\n{company}",
                "{salutation}您好，年度框架协议的阶梯报价和合同草案已发到您的邮箱，账期为60天。"
                "如无异议，我们安排{date}上门签约。",
            ),
            Story(
                "发票{invoice}抬头有误，需要重开",
                "您好：\n\n收到贵司开具的增值税专用发票（发票号{invoice}），发现购买方名称和税号"
                "有误，应为“{company}”。请作废重开，原发票我们会寄回。\n\n财务部 {contact}",
                "{salutation}您好，发票{invoice}已作废，新发票已按正确抬头开具并通过EMS寄出，"
                "请注意查收。",
            ),
            Story(
                "订单{order}修改收货地址",
                "你好，订单{order}的收货地址需要改到我们新厂区（仓库二号门），联系人不变。请确认"
                "还来得及修改，谢谢！\n\n{contact}\n{company}",
                "{salutation}您好，订单{order}的收货地址已改为新厂区仓库二号门，物流公司也已通知，"
                "预计{date}送达。",
            ),
        ),
        EN: (
            Story(
                "Quotation request: {qty} x {product} {model}",
                "Dear sales team,\n\nPlease quote {qty} pcs of {product} {model}, delivered DAP "
                "to our plant, including packaging for sea freight. We would also like to know "
                "your payment terms.\n\nRegards,\n{contact}\nPurchasing, {company}",
                "Dear {salutation}, our quotation for {qty} x {model} (DAP, seaworthy packing) is "
                "in your inbox. Payment terms: 30% with order, 70% before shipment.",
            ),
            Story(
                "Can order {order} be shipped earlier?",
                "Hello,\n\nOur project has moved forward and we would need order {order} ({qty} x "
                "{product}) about {days} days earlier than confirmed. Is that possible, and at "
                "what extra cost?\n\nThanks,\n{contact}\n{company}",
                "Dear {salutation}, order {order} has been expedited at no extra cost and will "
                "ship on {date}; you will receive the tracking number by email.",
            ),
            Story(
                "Invoice {invoice} shows the wrong VAT number",
                "Hello,\n\nInvoice {invoice} for order {order} shows our old VAT number. Could "
                "you issue a corrected invoice? Our accounts department cannot book it as it "
                "is.\n\nBest regards,\n{contact}\nAccounts payable, {company}",
                "Dear {salutation}, invoice {invoice} has been cancelled and a corrected one "
                "with your new VAT number was emailed to you today.",
            ),
        ),
    },
    "feedback": {
        ZH: (
            Story(
                "对上次现场安装服务的意见",
                "您好：\n\n上周贵司工程师来我厂安装{product}，技术很过硬，但是到场时间比约定晚了"
                "半天，也没有提前通知，影响了我们的排产。希望以后能改进。\n\n{contact}\n{company}",
                "{salutation}您好，感谢您的意见，给您的排产造成影响非常抱歉。今后工程师出发前会"
                "提前一天电话确认到场时间，如有变动及时通知。",
                product=ANY_MACHINE,
            ),
            Story(
                "表扬：售后工程师服务很到位",
                "你好，\n\n这次{product}故障，贵司工程师{engineer}连夜赶到现场，两个小时就恢复了"
                "生产，非常专业。特此表扬，也感谢贵司的支持！\n\n{contact}\n{company}",
                "{salutation}您好，感谢您的认可，我们已转达给{engineer}本人和部门负责人。",
                product=ANY_MACHINE,
            ),
            Story(
                "{product}包装改进建议",
                "您好，最近几批{product}的包装木箱偏薄，运输途中有两箱出现开裂，虽然货物没有损坏，"
                "但建议加固包装或者增加防潮措施。\n\n{contact}\n{company} 仓储部",
                "{salutation}您好，感谢您的建议。从下月起{product}改用加厚木箱并加真空防潮包装，"
                "已纳入我们的改进计划。",
            ),
            Story(
                "说明书内容过于简单",
                "您好：\n\n新采购的{product}（{model}）随机说明书只有几页，缺少参数设置和常见故障"
                "处理的内容，我们的操作工用起来不方便。能否提供更完整的中文说明书或电子版？"
                "\n\n{contact}",
                "{salutation}您好，完整版中文说明书（含参数表和故障处理）已发到您的邮箱，新版随机"
                "说明书也会在下季度更新。",
                product=ANY_MACHINE,
            ),
        ),
        EN: (
            Story(
                "Feedback on the new {product} manual",
                "Hello,\n\nThe manual that came with the {product} {model} is missing the "
                "parameter list and the troubleshooting section that the old edition had. Our "
                "technicians found it hard to commission the unit.\n\nRegards,\n{contact}\n"
                "{company}",
                "Dear {salutation}, thank you. The full manual with the parameter list and "
                "troubleshooting section is in your inbox, and the printed edition will be "
                "corrected next quarter.",
                product=ANY_MACHINE,
            ),
            Story(
                "Praise for your field engineer",
                "Hi,\n\nI just wanted to say that your engineer {engineer} did an excellent job "
                "on site last week. The {product} was back in operation within a day, and our "
                "operators learned a lot from the visit.\n\nThank you,\n{contact}\n{company}",
                "Dear {salutation}, thank you; we have passed your kind words on to {engineer} "
                "and the after-sales manager.",
                product=ANY_MACHINE,
            ),
            Story(
                "Suggestion: English labels on spare-part boxes",
                "Hello,\n\nThe spare parts we receive are labelled in Chinese only, which makes "
                "them hard to find in our warehouse. Could you add English part names and "
                "numbers to the labels?\n\nBest,\n{contact}\n{company}",
                "Dear {salutation}, good point: from next month all export shipments carry "
                "bilingual labels with the English part name and number.",
            ),
        ),
    },
    "repair": {
        ZH: (
            Story(
                "{product}运行异响，温度偏高",
                "您好：\n\n我厂{product}（型号{model}，序列号{serial}）最近一周运行时有明显异响，"
                "连续工作两小时后外壳温度超过70℃。已检查润滑，问题依旧。请尽快安排技术支持。"
                "\n\n{contact}\n{company} 设备部",
                "{salutation}您好，工程师已于{visit}到现场更换了{product}的轴承和密封件，试运行"
                "4小时温度和噪声均正常。建议每{months}个月做一次预防性保养。",
                product=ROTATING,
            ),
            Story(
                "{product}报警{code}，设备停机",
                "紧急！\n\n今天早班{product}突然报警{code}，设备停机，复位后几分钟又报警。整条"
                "生产线现在停着，请尽快安排工程师联系我们。序列号{serial}。\n\n{contact} {company}",
                "{salutation}您好，经远程诊断，报警{code}是编码器线缆接触不良引起的，已指导贵司"
                "电工重新压接并修改了滤波参数，设备已恢复正常。",
                product=ANY_MACHINE,
            ),
            Story(
                "液压系统压力不稳定",
                "您好，\n\n贵司提供的{product}（{model}）最近压力波动很大，在8到15MPa之间来回跳，"
                "导致压机动作不稳。已更换滤芯，没有改善。请帮忙分析原因。\n\n{contact}\n{company}",
                "{salutation}您好，工程师{visit}现场检查发现变量机构的调压阀磨损，已更换并重新"
                "标定，压力稳定在12MPa，波动小于0.3MPa。",
                product="pump",
            ),
            Story(
                "激光切割机切口挂渣严重",
                "你好：\n\n{product}（{model}）切割6mm碳钢时切口挂渣严重，之前没有这个问题。已经"
                "检查过喷嘴和保护镜片，气压也正常。麻烦技术人员远程指导一下。\n\n{contact}\n"
                "{company} 生产部",
                "{salutation}您好，远程检查发现焦点位置偏移了1.5mm，已指导操作工重新对焦并更新"
                "了切割工艺参数，切口已无挂渣。",
                product="laser",
            ),
            Story(
                "PLC通讯中断，需要技术支持",
                "您好，\n\n产线上的{product}与上位机的以太网通讯每天会中断几次，需要断电重启才能"
                "恢复。已经更换过网线和交换机端口。控制器序列号{serial}，请协助排查。\n\n{contact}",
                "{salutation}您好，问题原因是控制器固件版本过旧，连接数满后不释放。已远程升级固件"
                "并调整了连接超时设置，连续观察三天没有再中断。",
                product="plc",
            ),
        ),
        EN: (
            Story(
                "{product} {model} overheating after two hours",
                "Hello,\n\nOur {product} (model {model}, serial {serial}) gets very hot after "
                "about two hours of operation and makes a grinding noise. We checked the "
                "lubrication and it is fine. Please advise urgently.\n\nRegards,\n{contact}\n"
                "Maintenance, {company}",
                "Dear {salutation}, our engineer replaced the bearings and seals of the "
                "{product} on {visit}; a four-hour test run was fine. We recommend preventive "
                "maintenance every {months} months.",
                product=ROTATING,
            ),
            Story(
                "Alarm {code} on {product}, machine down",
                "Hi,\n\nThis morning the {product} stopped with alarm {code}. After a reset it "
                "runs for a few minutes and stops again. The whole line is down. Serial number "
                "{serial}. Please call me as soon as possible.\n\n{contact}\n{company}",
                "Dear {salutation}, remote diagnosis traced alarm {code} to a loose encoder "
                "cable; your electrician re-terminated it with our help and the machine runs "
                "normally again.",
                product=ANY_MACHINE,
            ),
            Story(
                "Conveyor belt keeps running off-centre",
                "Hello,\n\nThe {product} we installed in spring keeps drifting to one side "
                "although we have re-tensioned it twice. Can you send instructions for tracking "
                "adjustment, or a technician?\n\nThanks,\n{contact}\n{company}",
                "Dear {salutation}, our technician realigned the tail pulley and fitted two "
                "self-aligning idlers on {visit}; the belt has been running centred since.",
                product="belt",
            ),
        ),
    },
    "complaint": {
        ZH: (
            Story(
                "订单{order}延期{days}天仍未发货",
                "你们好：\n\n我司订单{order}（{product}，{qty}台）合同交期早就过了，到今天已经"
                "延误{days}天，每次打电话都说在催。我们的客户在等这批设备，延误造成的损失谁来"
                "承担？请给出明确的发货日期。\n\n{contact}\n{company}",
                "{salutation}您好，订单{order}已于{visit}发出，延误期间的加急运费由我司承担。我们"
                "已调整排产流程，避免再次发生。非常抱歉。",
            ),
            Story(
                "收到的{product}外箱破损、零件变形",
                "您好：\n\n今天到货的{product}（订单{order}）有两箱外包装严重破损，开箱后发现部分"
                "零件变形，无法使用。已拍照留证。请尽快处理补发。\n\n{contact}\n{company} 仓库",
                "{salutation}您好，补发的两箱{product}已于{visit}发出，破损件无需寄回。我们已要求"
                "物流商加固包装，给您添麻烦了。",
            ),
            Story(
                "维修后同样故障第三次出现",
                "你好，\n\n{product}（序列号{serial}）同样的故障已经是第三次了，每次工程师来换个"
                "零件就走，过不了两周又坏。我们要求彻底解决，否则考虑退货。\n\n{contact}\n"
                "{company} 设备部",
                "{salutation}您好，技术专家{visit}到现场查明根本原因是电源电压波动，已加装稳压器"
                "并更换了主控板，连续运行一周无故障。由此造成的不便深表歉意。",
                product=ANY_MACHINE,
            ),
            Story(
                "发错型号：订购{model}收到的不是这个型号",
                "您好，订单{order}我们订购的是{product} {model}，实际收到的铭牌型号不对，安装尺寸"
                "也对不上。产线等着用，请马上安排换货。\n\n{contact}",
                "{salutation}您好，经核查是仓库发货时贴错了标签，正确型号已于今天发出，错发的货请"
                "用随箱退货单寄回，运费由我司承担。给您造成的不便深表歉意。",
            ),
            Story(
                "售后三天没人回复",
                "你好：\n\n我们上周报修的{product}问题，到现在三天了没有任何人联系我们，热线电话也"
                "一直占线。这样的服务态度让人很失望，请给个说法。\n\n{contact}\n{company}",
                "{salutation}您好，非常抱歉让您久等。工程师已于{visit}上门处理完毕，我们也增加了"
                "热线坐席，并安排专人跟踪贵司的报修。",
                product=ANY_MACHINE,
            ),
        ),
        EN: (
            Story(
                "Order {order} is {days} days late",
                "Hello,\n\nOrder {order} ({qty} x {product}) is now {days} days past the "
                "confirmed delivery date and we have had no update. Our own customer is "
                "waiting. Please give us a firm shipping date today.\n\n{contact}\n{company}",
                "Dear {salutation}, order {order} shipped on {visit} and we will cover the "
                "express freight. We have changed our planning so that this does not happen "
                "again. Our apologies.",
            ),
            Story(
                "Wrong parts delivered on order {order}",
                "Hi,\n\nWe ordered {product} {model} on order {order}, but the units we received "
                "carry a different model number and do not fit. Please arrange an exchange "
                "urgently.\n\nRegards,\n{contact}\n{company}",
                "Dear {salutation}, a labelling mistake in our warehouse caused this. The "
                "correct units shipped today by express; please return the wrong ones with the "
                "enclosed label at our cost. We apologise.",
            ),
            Story(
                "Same fault again after your repair",
                "Hello,\n\nThis is the third time the {product} (serial {serial}) has failed "
                "with the same fault since your technician's visit. We expect a permanent fix, "
                "otherwise we will return the unit.\n\n{contact}\nPlant manager, {company}",
                "Dear {salutation}, our specialist found the root cause on {visit}: an unstable "
                "supply voltage. We fitted a stabiliser and a new main board at our cost, and "
                "the unit has run a week without a fault.",
                product=ANY_MACHINE,
            ),
        ),
    },
    "claim": {
        ZH: (
            Story(
                "{product}保修期内损坏，申请赔偿",
                "您好：\n\n我司{months}个月前采购的{product}（序列号{serial}）在保修期内出现主轴"
                "断裂，经贵司工程师现场确认无法修复。根据合同保修条款，申请更换新机并赔偿停产损失。"
                "\n\n购货发票和现场照片已发至贵司邮箱。\n\n{contact}\n{company}",
                "{salutation}您好，经理赔部审核，本次索赔符合保修条款：我们将免费更换{product}，"
                "承担往返运费，停产损失补偿款将在{days}个工作日内支付。",
                product="spindle",
            ),
            Story(
                "运输损坏索赔：订单{order}",
                "你好，\n\n订单{order}到货时{product}有明显撞击痕迹，签收时已在运单上注明。经检查"
                "设备无法正常使用，现提出索赔，请告知理赔流程和所需材料。\n\n{contact}\n{company}",
                "{salutation}您好，运输损坏已与承运方确认，新设备将于{date}发出，费用由我司承担，"
                "损坏设备由物流公司上门取回。",
                product=ANY_MACHINE,
            ),
            Story(
                "批次质量问题：{qty}件{product}早期失效",
                "您好：\n\n贵司供应的一批{product}（批号{serial}），装机后不到{months}个月已有"
                "{qty}件失效，远低于设计寿命。我们申请整批退换并由贵司承担返工费用。\n\n质量部 "
                "{contact}\n{company}",
                "{salutation}您好，经质量部分析，该批次热处理工艺存在偏差。我们同意整批更换，"
                "并按协议补偿返工费用，补偿款{days}个工作日内到账。",
                product="bearing",
            ),
        ),
        EN: (
            Story(
                "Warranty claim: {product} failed after {months} months",
                "Hello,\n\nThe {product} (serial {serial}) we bought {months} months ago has "
                "failed, and your engineer confirmed it cannot be repaired on site. Under the "
                "warranty terms we claim a replacement unit and compensation for the downtime."
                "\n\nInvoice and photos follow by email.\n\n{contact}\n{company}",
                "Dear {salutation}, your claim is accepted under the warranty: we will replace "
                "the {product} free of charge, pay the freight both ways and transfer the "
                "compensation within {days} working days.",
                product=ANY_MACHINE,
            ),
            Story(
                "Claim for transport damage on order {order}",
                "Hi,\n\nThe {product} on order {order} arrived with visible impact damage, which "
                "we noted on the delivery note. The unit does not work. Please tell us how to "
                "file the claim and which documents you need.\n\nRegards,\n{contact}\n{company}",
                "Dear {salutation}, the carrier has accepted the transport damage. A new unit "
                "ships on {date} at our cost and the carrier will collect the damaged one.",
                product=ANY_MACHINE,
            ),
        ),
    },
    "training": {
        ZH: (
            Story(
                "申请{product}操作与保养现场培训",
                "您好：\n\n我厂新采购的{product}下月投产，希望贵司派讲师到现场给操作工和维修工做"
                "一次培训，内容包括日常操作、参数设置和日常保养，参训人数约{qty}人。请问如何安排？"
                "费用怎么算？\n\n{contact}\n{company} 人事部",
                "{salutation}您好，现场培训已安排在{date}，讲师为{engineer}，为期两天，首次培训"
                "免费，培训资料会提前一周发给您。",
                product=ANY_MACHINE,
            ),
            Story(
                "PLC编程培训咨询",
                "你好，\n\n我们的电气工程师想参加{product}编程和故障诊断培训，请问贵司近期有没有"
                "公开课？需要几天？\n\n{contact}\n{company}",
                "{salutation}您好，{date}开班的PLC编程与故障诊断公开课（三天）已为贵司预留名额，"
                "报名表和课程大纲已发到您的邮箱。",
                product="plc",
            ),
            Story(
                "新员工设备操作培训",
                "您好，我们车间新招了一批操作工，希望安排一次{product}安全操作培训，最好能在周末"
                "进行。\n\n{contact} {company}",
                "{salutation}您好，周末安全操作培训已安排在{date}，讲师{engineer}，请提前准备好"
                "劳保用品和培训场地。",
                product=ANY_MACHINE,
            ),
        ),
        EN: (
            Story(
                "On-site training for our maintenance team",
                "Hello,\n\nWe would like to book on-site training on the {product} {model} for "
                "about {qty} maintenance technicians: daily checks, parameter settings and "
                "troubleshooting. Could you propose dates and a price?\n\nBest regards,\n"
                "{contact}\nHR, {company}",
                "Dear {salutation}, the training is booked for {date} with {engineer} as trainer "
                "(two days). The course material will reach you a week before.",
                product=ANY_MACHINE,
            ),
            Story(
                "Operator training for the new {product} line",
                "Hi,\n\nOur new line with your {product} starts next month. Do you offer "
                "operator training, ideally in English, on site or online?\n\nThanks,\n"
                "{contact}\n{company}",
                "Dear {salutation}, we have reserved places for your team in our English online "
                "course starting {date}; links and material are in your inbox.",
                product=ANY_MACHINE,
            ),
        ),
    },
}

# --------------------------------------------------------------------------
# The rest of the conversation
# --------------------------------------------------------------------------

Texts = dict[str, tuple[str, ...]]

ACKNOWLEDGEMENTS: Texts = {
    ZH: (
        "{salutation}您好，您的来信已收到，工单已受理，我们会尽快处理并回复您。",
        "{salutation}您好，感谢联系我们。已安排相关同事处理，今天内给您答复。",
    ),
    EN: (
        "Dear {salutation}, thank you for your message. Your request has been logged and we "
        "will get back to you shortly.",
        "Hello {salutation}, thanks for contacting us. A colleague is looking into this and "
        "will reply today.",
    ),
}

# Questions that put a ticket on hold until the customer answers.
INFO_REQUESTS: dict[str, Texts] = {
    "enquiry": {
        ZH: (
            "{salutation}您好，为了给您准确的选型和报价，请提供设备铭牌照片和使用工况（负载、转速、"
            "工作时长）。收到后我们当天回复。",
        ),
        EN: (
            "Dear {salutation}, to quote the right model, could you send us a photo of the "
            "nameplate and the operating conditions (load, speed, duty cycle)? We will reply "
            "the same day.",
        ),
    },
    "sales": {
        ZH: (
            "{salutation}您好，请确认开票信息（单位名称、税号、开户行）和收货联系人电话，我们确认后"
            "马上安排。",
        ),
        EN: (
            "Dear {salutation}, please confirm your invoicing details (company name, VAT "
            "number) and the delivery contact's phone number, and we will arrange it right "
            "away.",
        ),
    },
    "feedback": {
        ZH: (
            "{salutation}您好，感谢反馈。方便告诉我们具体是哪一天、哪个订单吗？我们好核实并改进。",
        ),
        EN: (
            "Dear {salutation}, thank you. Could you tell us the date and the order number "
            "concerned so we can look into it?",
        ),
    },
    "repair": {
        ZH: (
            "{salutation}您好，请提供设备序列号、累计运行小时数，以及故障现象的照片或短视频，"
            "方便工程师判断。",
        ),
        EN: (
            "Dear {salutation}, please send the serial number, the operating hours and photos "
            "or a short video of the fault so that our engineer can assess it.",
        ),
    },
    "complaint": {
        ZH: (
            "{salutation}您好，非常抱歉给您带来不便。请提供送货单号和问题部位的照片，我们马上核查"
            "并给您答复。",
        ),
        EN: (
            "Dear {salutation}, we are very sorry for the trouble. Please send the delivery "
            "note number and photos of the problem so we can investigate immediately.",
        ),
    },
    "claim": {
        ZH: (
            "{salutation}您好，理赔需要以下材料：购货发票复印件、故障或破损照片、损失明细清单。材料"
            "齐全后我们5个工作日内给出审核结果。",
        ),
        EN: (
            "Dear {salutation}, for the claim we need a copy of the invoice, photos of the "
            "damage and an itemised list of your losses. We will give you our decision within "
            "five working days of receiving them.",
        ),
    },
    "training": {
        ZH: (
            "{salutation}您好，请告知参训人数、学员基础、期望的培训日期和地点，我们据此安排讲师和"
            "课程。",
        ),
        EN: (
            "Dear {salutation}, please let us know the number of trainees, their experience "
            "and your preferred dates and location so we can plan the course.",
        ),
    },
}

ANSWERS: dict[str, Texts] = {
    "enquiry": {
        ZH: ("铭牌照片已发到您的邮箱。负载大约是额定的八成，每天两班运行。",),
        EN: (
            "I have emailed the nameplate photo. The load is about 80% of rated, two shifts a day.",
        ),
    },
    "sales": {
        ZH: ("开票信息没有变化，收货联系人还是我，电话不变。谢谢！",),
        EN: ("Invoicing details are unchanged and I am the delivery contact. Thanks!",),
    },
    "feedback": {
        ZH: ("是上周四，订单号{order}。",),
        EN: ("It was last Thursday, order {order}.",),
    },
    "repair": {
        ZH: (
            "序列号{serial}，累计运行约{hours}小时。报警截图和视频已发邮箱，请查收。",
            "按你们说的检查过了，问题还在，照片已经发过去了。",
        ),
        EN: (
            "Serial {serial}, about {hours} operating hours. Screenshot and video sent by email.",
            "We checked what you suggested; the problem is still there. Photos sent.",
        ),
    },
    "complaint": {
        ZH: ("送货单号{order}，照片已发到你们邮箱。请尽快处理！",),
        EN: ("Delivery note {order}; photos sent by email. Please hurry.",),
    },
    "claim": {
        ZH: ("发票复印件、照片和损失清单都已经发过去了，请查收。",),
        EN: ("The invoice copy, the photos and the list of losses are on their way by email.",),
    },
    "training": {
        ZH: ("大约{qty}人，都有两年以上操作经验，希望安排在下月中旬，地点在我们厂里。",),
        EN: (
            "About {qty} people, all with a couple of years' experience; mid next month at "
            "our plant would be ideal.",
        ),
    },
}

# A second question, when the customer has already been asked once.
MORE_QUESTIONS: Texts = {
    ZH: ("{salutation}您好，还需要您补充一下现场联系人和方便的时间，我们好安排下一步。",),
    EN: (
        "Dear {salutation}, could you also give us an on-site contact and a convenient time "
        "so we can arrange the next step?",
    ),
}

MORE_ANSWERS: Texts = {
    ZH: ("现场联系人就是我，工作日白天都可以，电话保持畅通。",),
    EN: ("I am the on-site contact; any weekday during office hours works.",),
}

CHASERS: Texts = {
    ZH: ("请问现在处理到哪一步了？我们这边比较急。", "你好，这个问题有进展了吗？"),
    EN: ("Any update on this?", "Could you let me know where this stands? It is urgent for us."),
}

REOPENINGS: Texts = {
    ZH: ("又出现了同样的问题，麻烦再看一下。", "按你们的方法处理后好了两天，今天又不行了。"),
    EN: (
        "The problem is back, please have another look.",
        "It worked for two days after your fix, but today it failed again.",
    ),
}

SECOND_FIXES: Texts = {
    ZH: (
        "{salutation}您好，工程师再次远程检查后更换了控制板，故障已排除，请再观察一周，有问题随时"
        "联系。",
    ),
    EN: (
        "Dear {salutation}, our engineer checked again and replaced the control board; the "
        "fault is cleared. Please keep an eye on it for a week and let us know.",
    ),
}

THANKS: Texts = {
    ZH: ("问题已解决，谢谢你们！", "收到，已经正常了，辛苦了。"),
    EN: ("All working now, thank you!", "Received and confirmed, thanks for the quick help."),
}


# --------------------------------------------------------------------------
# What staff write for each other (in their own language)
# --------------------------------------------------------------------------

# Keyed by (from, to); a missing pair falls back to (None, to).
ROUTE_REASONS: dict[tuple[str | None, str], Texts] = {
    (None, SALES): {
        ZH: ("订单和报价相关，转销售部处理。",),
        EN: ("Order or quotation matter; over to sales.",),
    },
    (None, INFORMATION): {
        ZH: ("需要更新客户档案和开票信息，转信息部。",),
        EN: ("Customer record and invoicing details need updating; over to information.",),
    },
    (None, FOLLOW_UP): {
        ZH: ("订单已处理，转跟进部回访客户意见。",),
        EN: ("Order handled; follow-up to check with the customer.",),
    },
    (AFTER_SALES, FOLLOW_UP): {
        ZH: ("维修已完成，转回跟进部确认客户是否满意。",),
        EN: ("Repair done; back to follow-up to confirm the customer is satisfied.",),
    },
    (None, AFTER_SALES): {
        ZH: ("涉及设备故障，转售后服务部安排工程师。",),
        EN: ("Equipment fault; after-sales to send an engineer.",),
    },
    (KEY_ACCOUNTS, AFTER_SALES): {
        ZH: ("大客户设备故障，请售后优先安排工程师。",),
        EN: ("Key-account equipment fault, please send an engineer first thing.",),
    },
    (None, CLAIMS): {
        ZH: ("现场无法修复，客户要求赔偿，转理赔部。",),
        EN: ("Cannot be fixed on site and the customer claims compensation; over to claims.",),
    },
    (None, GENERAL_AFFAIRS): {
        ZH: ("涉及多个部门，需要综合部协调。", "客户投诉升级，请综合部协调处理。"),
        EN: ("Needs coordination across departments; over to general affairs.",),
    },
    (None, TRAINING): {
        ZH: ("客户申请培训，转培训部安排课程。",),
        EN: ("Training request; over to training.",),
    },
    (None, KEY_ACCOUNTS): {
        ZH: ("A类大客户，转大客户部客户经理跟进。",),
        EN: ("A-class key account; over to the account manager.",),
    },
}

NOTES: dict[str, Texts] = {
    INTAKE: {
        ZH: ("已电话联系客户，确认了联系方式和问题描述。", "老客户，历史工单较多，注意沟通方式。"),
        EN: (
            "Called the customer and confirmed the contact details.",
            "Long-standing customer with several earlier tickets; handle with care.",
        ),
    },
    SALES: {
        ZH: (
            "已查ERP：订单{order}在备货中，预计下周完工。",
            "客户信用额度充足，可以先发货后付款。",
        ),
        EN: (
            "ERP shows order {order} in preparation, ready next week.",
            "Credit limit is fine; we can ship before payment.",
        ),
    },
    INFORMATION: {
        ZH: ("客户档案已更新：开票信息和收货地址。", "已核对历史交易记录，近一年采购{qty}次。"),
        EN: (
            "Customer record updated: invoicing details and delivery address.",
            "Checked the history: {qty} orders in the last twelve months.",
        ),
    },
    FOLLOW_UP: {
        ZH: (
            "已电话回访，客户对处理结果基本满意，但希望缩短响应时间。",
            "客户提到竞争对手报价更低，需要关注。",
        ),
        EN: (
            "Called the customer: broadly satisfied, but would like faster responses.",
            "The customer mentioned a cheaper competitor offer; worth watching.",
        ),
    },
    AFTER_SALES: {
        ZH: (
            "初步判断为轴承磨损，需要带备件上门。",
            "已与客户约好上门检修时间，工程师带备件过去。",
            "备件库存不足，已申请从总部调货。",
        ),
        EN: (
            "Looks like bearing wear; the engineer needs to bring spare parts.",
            "Site visit agreed with the customer; the engineer brings spare parts.",
            "Spare part out of stock locally; requested from head office.",
        ),
    },
    CLAIMS: {
        ZH: (
            "核对保修记录：设备安装于{months}个月前，在保修期内。",
            "已联系承运方，对方同意承担部分损失。",
        ),
        EN: (
            "Warranty check: installed {months} months ago, still under warranty.",
            "Carrier contacted; they accept part of the loss.",
        ),
    },
    TRAINING: {
        ZH: ("讲师{engineer}的档期已确认。", "需要准备中英文双语教材。"),
        EN: ("Trainer {engineer} is available.", "We need bilingual (Chinese/English) material."),
    },
    GENERAL_AFFAIRS: {
        ZH: ("已协调仓库、物流和售后，本周五前给客户正式答复。", "此事已报告服务中心主任。"),
        EN: (
            "Warehouse, logistics and after-sales aligned; formal answer to the customer by "
            "Friday.",
            "Reported to the service-centre director.",
        ),
    },
    KEY_ACCOUNTS: {
        ZH: ("A类客户，年采购额较大，请各部门优先处理。", "已向客户高层通报进展，客户关系良好。"),
        EN: (
            "A-class customer with large annual purchases; please give it priority.",
            "Briefed the customer's management on progress; the relationship is good.",
        ),
    },
}

PRIORITY_REASONS: Texts = {
    ZH: ("客户生产线停机，提升优先级。",),
    EN: ("The customer's line is down; raising the priority.",),
}
CLOSE_REASONS: Texts = {
    ZH: ("客户确认问题已解决。",),
    EN: ("The customer confirmed the problem is solved.",),
}
SILENT_CLOSE_REASONS: Texts = {
    ZH: ("已解决七天无回复，关闭工单。",),
    EN: ("Resolved a week ago without reply; closing.",),
}
DUPLICATE_REASONS: Texts = {
    ZH: ("与该客户的另一张工单重复，关闭。",),
    EN: ("Duplicate of another ticket from the same customer.",),
}
