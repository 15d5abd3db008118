// The statement's words in both languages. Chinese labels are zh-CN (Simplified); the agreement
// is quoted as written (seed/hosting-agreement.zh.txt, Traditional characters).
#include "labels.hpp"

#include <array>
#include <utility>

namespace colosla::core::statement {

namespace {

struct Word {
  std::string_view key, zh, en;
};

constexpr std::array kWords{
    Word{"title", "服务水平月度结算单", "Monthly service-level statement"},
    Word{"provider", "乙方（服务提供方）", "Provider"},
    Word{"customer", "甲方（客户）", "Customer"},
    Word{"contract", "合同编号", "Contract"},
    Word{"month", "月份", "Month"},
    Word{"number", "结算单编号", "Statement number"},
    Word{"draft", "草稿：本月尚未结账", "Draft: the month is not closed"},
    Word{"period", "计算期间", "Period"},
    Word{"as-of", "计算截至", "Figures as of"},
    Word{"times", "时间（当地时间）", "Times (local)"},
    Word{"closed", "结账", "Closed"},
    Word{"guarantees", "协议保证", "The guarantees of the agreement"},
    Word{"article", "条款", "Article"},
    Word{"agreement-words", "协议原文及英文译文",
         "The agreement's words, with an English rendering"},
    Word{"this-month", "本月结果", "This month"},
    Word{"network", "网络联通性（第一条）", "Network connectivity (Article 1)"},
    Word{"power", "电力持续供应（第二条）", "Continuous power supply (Article 2)"},
    Word{"art1", "第一条 二至四", "Article 1.2–1.4"},
    Word{"art2", "第二条 二至四", "Article 2.2–2.4"},
    Word{"art3", "第三条 二", "Article 3.2"},
    Word{"art4", "第四条 五、八、九", "Article 4.5, 4.8, 4.9"},
    Word{"met", "达到", "Met"},
    Word{"breached", "未达到", "Not met"},
    Word{"outage", "中断", "Outage"},
    Word{"excluded", "除外", "Excluded"},
    Word{"unreported", "未报告", "Unreported"},
    Word{"pending", "待报告", "Pending"},
    Word{"counted", "计入", "Counted"},
    Word{"unmonitored", "未监测", "Unmonitored"},
    Word{"available", "可用", "Available"},
    Word{"future", "尚未计算（截至时间之后）", "Not yet (after the as-of time)"},
    Word{"availability", "可用性", "Availability"},
    Word{"limit", "上限", "Limit"},
    Word{"target", "目标", "Target"},
    Word{"result", "结果", "Result"},
    Word{"network-outages", "网络中断", "Network outages"},
    Word{"power-outages", "电力中断", "Power interruptions"},
    Word{"no-network-outage", "本月无网络中断。", "No network outage this month."},
    Word{"no-power-outage", "本月无电力中断。", "No power interruption this month."},
    Word{"start", "开始", "Start"},
    Word{"end", "结束", "End"},
    Word{"still-open", "截至计算时仍未结束", "still open at the as-of time"},
    Word{"counted-min", "计入时间", "Counted"},
    Word{"of-which", "其余部分", "The rest of it"},
    Word{"reported-at", "客户报告于", "reported by the customer at"},
    Word{"emergencies", "紧急情况报告（第四条）", "Emergency notification (Article 4)"},
    Word{"no-emergency", "本月无紧急情况。", "No emergency this month."},
    Word{"monitored", "监测对象", "Monitored service"},
    Word{"declared", "判定时间", "Declared"},
    Word{"deadline", "通知期限", "Deadline"},
    Word{"notified", "通知时间", "Notified"},
    Word{"status", "状态", "Status"},
    Word{"e-met", "已按时通知", "Notified in time"},
    Word{"e-missed", "未按时通知", "Missed"},
    Word{"e-exempt", "免责", "Exempt"},
    Word{"e-open", "期限未到", "Deadline not yet passed"},
    Word{"installation", "初装（第三条）", "Installation (Article 3)"},
    Word{"completed", "完成时间", "Completed"},
    Word{"refund", "退还初装费", "Installation fee refunded"},
    Word{"on-time", "按时完成", "On time"},
    Word{"late", "逾期", "Late"},
    Word{"not-completed", "尚未完成", "Not completed yet"},
    Word{"credit", "本月减免计算", "The credit, line by line"},
    Word{"line", "项目", "Line"},
    Word{"amount", "金额", "Amount"},
    Word{"rent-waived-network", "免收当月租用费：网络联通性未达到保证（第一条 三）",
         "Month's rent waived: network connectivity not met (Article 1.3)"},
    Word{"rent-waived-power", "免收当月租费：电力持续供应未达到保证（第二条 三）",
         "Month's rent waived: continuous power not met (Article 2.3)"},
    Word{"deduction", "未履行报告保证的扣减（第四条 八、九）：天数 × 月租费 ÷ 当月天数",
         "Missed emergency notifications (Article 4.8, 4.9): days × monthly fee ÷ days in month"},
    Word{"deduction-in-waiver", "（已免收当月租费，扣减不再另计）",
         "(shown only: the month's rent is already waived)"},
    Word{"cap", "减免上限：当月租费", "Never more than the monthly fee"},
    Word{"credit-total", "第一、二、四条减免合计", "Credit under Articles 1, 2 and 4"},
    Word{"adjustment", "以前月份的调整", "Adjustment of an earlier month"},
    Word{"total", "合计", "Total"},
    Word{"refund-line", "退还初装服务费（第三条，另行结算）",
         "Installation fee refund (Article 3, settled on its own)"},
    Word{"adjustments", "以前月份的调整", "Adjustments of earlier months"},
    Word{"corrects", "更正的结算单", "Corrects statement"},
    Word{"cause", "原因", "Cause"},
    Word{"before", "原金额", "Before"},
    Word{"after", "更正后", "After"},
    Word{"process", "服务过程保证（第五至九条）", "Service process guarantees (Articles 5–9)"},
    Word{"staff", "指定人员（第五条 六、第六条 二）", "Named staff (Article 5.6, 6.2)"},
    Word{"customer-service", "客户服务专员", "Customer service"},
    Word{"technical-support", "技术支持工程师", "Technical support"},
    Word{"clocks", "时限", "Time limits"},
    Word{"obligation", "义务", "Obligation"},
    Word{"opened", "起算", "From"},
    Word{"due", "期限", "Due"},
    Word{"done", "完成", "Done"},
    Word{"c-met", "按时", "Met"},
    Word{"c-missed", "逾期", "Missed"},
    Word{"c-open", "进行中", "Open"},
    Word{"feedback", "授权后首次反馈（第七条 2，30 分钟内）",
         "First feedback after an authorization (Article 7.2, 30 minutes)"},
    Word{"operation-report", "书面操作情况报告（第七条 2）",
         "Written operation report (Article 7.2)"},
    Word{"written-confirmation", "补交书面授权书（第六条 六）",
         "Written confirmation of a phone authorization (Article 6.6)"},
    Word{"complaint-report", "书面投诉处理情况报告（第八条 三，24 小时内）",
         "Written complaint report (Article 8.3, 24 hours)"},
    Word{"authorizations", "操作授权（第六条 四至六）", "Authorizations (Article 6.4–6.6)"},
    Word{"contact", "授权人", "Contact"},
    Word{"by", "方式", "By"},
    Word{"at", "时间", "At"},
    Word{"accepted", "结果", "Result"},
    Word{"operation-ended", "操作结束", "Operation ended"},
    Word{"written", "书面", "In writing"},
    Word{"phone", "电话", "By phone"},
    Word{"yes-accepted", "接受", "Accepted"},
    Word{"refused", "拒绝", "Refused"},
    Word{"complaints", "投诉（第八条）", "Complaints (Article 8)"},
    Word{"about", "投诉内容", "About"},
    Word{"about-network", "网络品质", "Network quality"},
    Word{"about-customer-service", "客户服务质量", "Customer service quality"},
    Word{"about-technical-support", "技术支持质量", "Technical support quality"},
    Word{"visits", "进入机房（第九条）", "Data-centre visits (Article 9)"},
    Word{"reason", "原因与活动", "Reason and activity"},
    Word{"expected", "预计进入 / 离开", "Expected in / out"},
    Word{"actual", "实际进入 / 离开", "Entered / left"},
    Word{"escort", "陪同人员 / 证件", "Escort / badge"},
    Word{"findings", "发现", "Findings"},
    Word{"none", "无", "None"},
    Word{"unannounced", "未事先说明", "Not announced"},
    Word{"unescorted", "无人陪同", "Not escorted"},
    Word{"overstayed", "逾时离开", "Left later than announced"},
    Word{"words", "用语说明", "Words used"},
    Word{"appendix", "附录：证据", "Appendix: evidence"},
    Word{"appendix-note", "以下为系统内部编号，供核对证据之用。",
         "The provider's internal numbers, for checking the evidence."},
    Word{"ev-outage", "中断", "Outage"},
    Word{"ev-emergency", "紧急情况", "Emergency"},
    Word{"ev-installation", "初装", "Installation"},
    Word{"ev-adjustment", "调整", "Adjustment"},
    Word{"ev-process", "过程记录", "Process record"},
    Word{"ev-statement", "结算单", "Statement"},
};

// One sentence each, in both languages (the template's "Words used").
constexpr std::array kExplanations{
    Word{"", "计入：乙方造成、未被除外且已获客户报告的中断时间，按协议计算。",
         "Counted: outage time caused by the provider, not excluded, and reported by the customer; "
         "it is what the guarantee counts."},
    Word{"",
         "除外：协议列明的原因（经同意的维护、甲方设备或操作、不可抗力等）所致的中断时间，不计入。",
         "Excluded: outage time with a cause the agreement exempts (agreed maintenance, the "
         "customer's equipment or operations, force majeure and the like); it does not count."},
    Word{"", "待报告：中断开始后 5 天尚未届满、客户尚未报告的时间；客户在期限内报告后即计入。",
         "Pending: outage time the customer has not reported yet while the 5 days after its start "
         "have not passed; it counts once the customer reports it in time."},
    Word{"", "未报告：客户未在中断开始后 5 天内报告的时间，依协议不计入。",
         "Unreported: outage time the customer did not report within 5 days of its start; by the "
         "agreement it does not count."},
    Word{"", "未监测：设备状态未知的时间；不视为中断，但此期间的中断无法显示。",
         "Unmonitored: time in which the equipment's state was not known; it is never an outage, "
         "but an outage then would not show."},
};

}  // namespace

Languages Languages::of(std::string_view language) {
  if (language == "zh") {
    return Languages{true, false};
  }
  if (language == "en") {
    return Languages{false, true};
  }
  return Languages{true, true};
}

nlohmann::json label(const Languages& l, std::string_view zh, std::string_view en) {
  nlohmann::json j = nlohmann::json::object();
  j["zh"] = l.zh ? nlohmann::json(std::string(zh)) : nlohmann::json(false);
  j["en"] = l.en ? nlohmann::json(std::string(en)) : nlohmann::json(false);
  return j;
}

nlohmann::json label(const Languages& l, std::string_view key) {
  for (const auto& w : kWords) {
    if (w.key == key) {
      return label(l, w.zh, w.en);
    }
  }
  return label(l, key, key);
}

nlohmann::json all_labels(const Languages& l) {
  nlohmann::json t = nlohmann::json::object();
  for (const auto& w : kWords) {
    if (!t.contains(std::string(w.key))) {  // the first of a key wins
      t[std::string(w.key)] = label(l, w.zh, w.en);
    }
  }
  nlohmann::json ex = nlohmann::json::array();
  for (const auto& w : kExplanations) {
    ex.push_back(label(l, w.zh, w.en));
  }
  t["explanations"] = ex;
  nlohmann::json heads = nlohmann::json::array();
  for (const auto* k : {"outage", "excluded", "unreported", "pending", "counted", "unmonitored",
                        "availability", "limit", "result"}) {
    heads.push_back(label(l, k));
  }
  t["figure-heads"] = heads;
  return t;
}

nlohmann::json quote(const Languages& l, std::string_view zh, std::string_view en) {
  nlohmann::json j = nlohmann::json::object();
  j["zh"] = std::string(zh);
  j["en"] = l.en ? nlohmann::json(std::string(en)) : nlohmann::json(false);
  return j;
}

}  // namespace colosla::core::statement
