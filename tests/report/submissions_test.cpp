// User submissions: the labels file and the scoring of labels against verdicts. The
// verdicts are built by hand (the engine's own tests cover how they arise); the expected
// outcomes and suggestions come from brief 7.1 ("Submission outcomes": spoof-blocked ->
// spoofed-sender allow, impersonation-blocked -> trusted sender/domain, other blocks ->
// domain/address allow) and 13.2/13.3 (impersonation starts as NoAction, SCL=-1 rule).
#include <mailverdict/report/submissions.hpp>

#include <doctest/doctest.h>

#include <string>

using namespace mailverdict;
using namespace mailverdict::report;
using verdict::Detection;
using verdict::Folder;

namespace {

verdict::Verdict message(const std::string& from_local, const std::string& from_domain,
                         const std::string& id) {
    verdict::Verdict v;
    v.message_id = id;
    Mailbox m;
    m.local_part = from_local;
    m.domain = from_domain;
    v.from = m;
    v.infrastructure.value = "198.51.100.0/24";
    return v;
}

verdict::RecipientVerdict recipient(const std::string& address, Folder system, Folder final) {
    verdict::RecipientVerdict r;
    r.address = address;
    r.anti_phish_policy = "Pilot AntiPhish";
    r.anti_spam_policy = "Pilot AntiSpam";
    r.system.folder = system;
    r.final.folder = final;
    r.final.reason = "reason";
    r.system.reason = "system reason";
    return r;
}

verdict::DetectionHit hit(Detection d) {
    verdict::DetectionHit h;
    h.detection = d;
    return h;
}

const TuningSuggestion* find_suggestion(const std::vector<TuningSuggestion>& all,
                                        const std::string& kind) {
    for (const auto& s : all) {
        if (s.kind == kind) {
            return &s;
        }
    }
    return nullptr;
}

}  // namespace

TEST_CASE("labels file: columns, comments, label spellings") {
    const auto subs = parse_submissions(
        "# exported from the User reported tab\n"
        "\n"
        "a.eml\tphish\tMegan@Contoso.com\tlooks like the CEO\n"
        "dir/b.eml\tJunk\r\n"
        "<id-1@host>\tnot junk\n"
        "c.eml\tham\t\tadmin review\textra\n",
        "labels.tsv");
    REQUIRE(subs.size() == 4);
    CHECK(subs[0].message == "a.eml");
    CHECK(subs[0].label == SubmissionLabel::phish);
    CHECK(subs[0].reporter == "megan@contoso.com");  // addresses compared case-insensitively
    CHECK(subs[0].note == "looks like the CEO");
    CHECK(subs[0].line == 3);
    CHECK(subs[1].message == "dir/b.eml");
    CHECK(subs[1].label == SubmissionLabel::spam);
    CHECK(subs[1].reporter.empty());
    CHECK(subs[2].message == "<id-1@host>");
    CHECK(subs[2].label == SubmissionLabel::clean);
    CHECK(subs[3].label == SubmissionLabel::clean);
    CHECK(subs[3].note == "admin review extra");
}

TEST_CASE("labels file: errors name the file and line") {
    auto message_of = [](const char* text) {
        try {
            (void)parse_submissions(text, "l.tsv");
        } catch (const SubmissionsError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(message_of("a.eml\tphish\nb.eml\tmaybe\n").rfind("l.tsv:2: unknown label", 0) == 0);
    CHECK(message_of("a.eml phish\n").rfind("l.tsv:1: expected", 0) == 0);
    CHECK(message_of("\tphish\n").rfind("l.tsv:1: expected", 0) == 0);
    // The same message and reporter labelled two ways is a contradiction ...
    CHECK(message_of("a.eml\tphish\n# x\na.eml\tclean\n").find("l.tsv:3:") == 0);
    // ... twice the same way is one submission, and two reporters may disagree.
    CHECK(parse_submissions("a.eml\tphish\na.eml\tphish\n", "l").size() == 1);
    CHECK(parse_submissions("a.eml\tphish\tx@c.com\na.eml\tclean\ty@c.com\n", "l").size() == 2);
}

TEST_CASE("labels name messages by trailing path components or by Message-ID") {
    SubmissionScore score(
        parse_submissions("b.eml\tspam\nmessages/c.eml\tspam\n<ID-7@h>\tspam\n", "l"));
    CHECK(score.find("corpus/messages/b.eml", "").size() == 1);
    CHECK(score.find("b.eml", "").size() == 1);
    CHECK(score.find("corpus/messages/ab.eml", "").empty());  // not a path component
    CHECK(score.find("corpus/messages/c.eml", "").size() == 1);
    CHECK(score.find("other/c.eml", "").empty());
    CHECK(score.find("x.eml", "<ID-7@h>").size() == 1);
    CHECK(score.find("x.eml", "ID-7@h").size() == 1);
    CHECK(score.find("x.eml", "<id-8@h>").empty());
}

TEST_CASE("a clean label junked by spoof suggests a spoofed-sender allow") {
    SubmissionScore score(parse_submissions("a.eml\tclean\n", "l"));
    auto v = message("billing", "Fabrikam.example", "<a@x>");
    auto r = recipient("megan@contoso.com", Folder::junk, Folder::junk);
    r.detections.push_back(hit(Detection::spoof));
    v.recipients.push_back(r);
    CHECK(score.add(v, "in/a.eml"));
    CHECK(score.totals().scored == 1);
    CHECK(score.totals().false_positives == 1);
    CHECK(score.false_positives_by().at("SPOOF") == 1);
    REQUIRE(score.mistakes().size() == 1);
    CHECK(score.mistakes()[0].outcome == Outcome::false_positive);
    CHECK(score.mistakes()[0].treatment == Treatment::junked);
    const auto s = score.suggestions();
    REQUIRE(s.size() == 1);
    CHECK(s[0].kind == "tabl_spoof_allow");
    CHECK(s[0].target == "fabrikam.example, 198.51.100.0/24");
    CHECK(s[0].messages == 1);
}

TEST_CASE("impersonation false positives go to the policy's trusted senders or domains") {
    SubmissionScore score(parse_submissions("u.eml\tclean\nd.eml\tclean\n", "l"));
    auto u = message("ceo", "partner.example", "<u@x>");
    auto ru = recipient("megan@contoso.com", Folder::quarantine, Folder::quarantine);
    ru.detections.push_back(hit(Detection::user_impersonation));
    u.recipients.push_back(ru);
    score.add(u, "u.eml");

    auto d = message("info", "contoso-mail.example", "<d@x>");
    auto rd = recipient("megan@contoso.com", Folder::quarantine, Folder::quarantine);
    auto dh = hit(Detection::domain_impersonation);
    verdict::ImpersonationEvidence e;
    e.kind = "domain_impersonation";
    e.part = "mail_from_domain";
    e.sender_value = "Bounce.Contoso-Mail.example";
    dh.impersonation = e;
    rd.detections.push_back(dh);
    d.recipients.push_back(rd);
    score.add(d, "d.eml");

    const auto s = score.suggestions();
    const auto* sender = find_suggestion(s, "trusted_sender");
    const auto* domain = find_suggestion(s, "trusted_domain");
    REQUIRE(sender != nullptr);
    REQUIRE(domain != nullptr);
    CHECK(sender->target == "ceo@partner.example");
    CHECK(sender->where == "Pilot AntiPhish");
    // The domain that matched (here the MAIL FROM domain), not the From domain.
    CHECK(domain->target == "bounce.contoso-mail.example");
    CHECK(find_suggestion(s, "tabl_sender_allow") == nullptr);  // no TABL impersonation allows
    CHECK(score.false_positives_by().at("UIMP") == 1);
    CHECK(score.false_positives_by().at("DIMP") == 1);
}

TEST_CASE("high confidence phish cannot be allowed directly: submit it") {
    SubmissionScore score(parse_submissions("h.eml\tclean\n", "l"));
    auto v = message("a", "b.example", "<h@x>");
    auto r = recipient("megan@contoso.com", Folder::quarantine, Folder::quarantine);
    r.detections.push_back(hit(Detection::high_confidence_phish));
    v.recipients.push_back(r);
    score.add(v, "h.eml");
    const auto s = score.suggestions();
    REQUIRE(s.size() == 1);
    CHECK(s[0].kind == "submit_to_microsoft");
}

TEST_CASE("spam false positive: sender allow, with the authentication caveat") {
    SubmissionScore score(parse_submissions("s.eml\tclean\n", "l"));
    auto v = message("News", "Shop.example", "<s@x>");
    v.compauth.result = verdict::CompAuthResult::fail;
    auto r = recipient("megan@contoso.com", Folder::junk, Folder::junk);
    r.detections.push_back(hit(Detection::bulk));
    v.recipients.push_back(r);
    score.add(v, "s.eml");
    const auto s = score.suggestions();
    REQUIRE(s.size() == 1);
    CHECK(s[0].kind == "tabl_sender_allow");
    CHECK(s[0].target == "news@shop.example");
    CHECK(s[0].action.find("composite authentication") != std::string::npos);
}

TEST_CASE("a miss hidden by the SCL=-1 rule is keyed by the override, not the detection") {
    SubmissionScore score(parse_submissions("p.eml\tphish\tmegan@contoso.com\n", "l"));
    auto v = message("it", "contoso.com", "<p@x>");
    auto megan = recipient("megan@contoso.com", Folder::quarantine, Folder::inbox);
    megan.detections.push_back(hit(Detection::spoof));
    verdict::Override rule;
    rule.mechanism = "mail_flow_rule_bypass";
    rule.source = "Exchange transport rule";
    rule.entry = "SCL-1 for the gateway";
    rule.applied = true;
    megan.overrides.push_back(rule);
    v.recipients.push_back(megan);
    // Nestor's copy was quarantined: he did not report it, so it is not scored.
    auto nestor = recipient("nestor@contoso.com", Folder::quarantine, Folder::quarantine);
    nestor.detections.push_back(hit(Detection::spoof));
    v.recipients.push_back(nestor);
    score.add(v, "p.eml");
    CHECK(score.totals().scored == 1);
    CHECK(score.totals().false_negatives == 1);
    CHECK(score.false_negatives_by().at("override: Exchange transport rule") == 1);
    REQUIRE(score.mistakes().size() == 1);
    CHECK(score.mistakes()[0].recipient == "megan@contoso.com");
    CHECK(score.mistakes()[0].detail.find("quarantine") != std::string::npos);
    const auto s = score.suggestions();
    REQUIRE(s.size() == 1);
    CHECK(s[0].kind == "review_override");
    CHECK(s[0].target == "SCL-1 for the gateway");
}

TEST_CASE("an admin label (no reporter) scores every recipient, phish in Junk is caught") {
    SubmissionScore score(parse_submissions("m.eml\tphish\n", "l"));
    auto v = message("x", "y.example", "<m@x>");
    auto a = recipient("a@contoso.com", Folder::junk, Folder::junk);
    a.detections.push_back(hit(Detection::spoof));
    auto b = recipient("b@contoso.com", Folder::inbox, Folder::inbox);
    b.detections.push_back(hit(Detection::user_impersonation));  // observed only: NoAction
    v.recipients = {a, b};
    score.add(v, "m.eml");
    CHECK(score.totals().scored == 2);
    CHECK(score.totals().correct == 1);
    CHECK(score.totals().false_negatives == 1);
    CHECK(score.false_negatives_by().at("UIMP (no action)") == 1);
    CHECK(score.matrix().at("phish").at("junked") == 1);
    CHECK(score.matrix().at("phish").at("delivered") == 1);
    const auto s = score.suggestions();
    REQUIRE(s.size() == 1);
    CHECK(s[0].kind == "set_action");
    CHECK(s[0].target == "TargetedUserProtectionAction = Quarantine");
}

TEST_CASE("an undetected miss: block the sender, or the pair when From did not authenticate") {
    SubmissionScore score(parse_submissions("ok.eml\tspam\nspoof.eml\tphish\n", "l"));
    auto ok = message("Deals", "promo.example", "<ok@x>");
    ok.compauth.result = verdict::CompAuthResult::pass;
    ok.recipients.push_back(recipient("a@contoso.com", Folder::inbox, Folder::inbox));
    score.add(ok, "ok.eml");
    auto spoof = message("ceo", "contoso.com", "<sp@x>");
    spoof.compauth.result = verdict::CompAuthResult::softpass;
    spoof.recipients.push_back(recipient("a@contoso.com", Folder::inbox, Folder::inbox));
    score.add(spoof, "spoof.eml");
    const auto s = score.suggestions();
    const auto* sender = find_suggestion(s, "tabl_sender_block");
    const auto* pair = find_suggestion(s, "tabl_spoof_block");
    REQUIRE(sender != nullptr);
    REQUIRE(pair != nullptr);
    CHECK(sender->target == "deals@promo.example");
    CHECK(pair->target == "contoso.com, 198.51.100.0/24");
    CHECK(score.false_negatives_by().at("NONE") == 2);
}

TEST_CASE("suggestions count messages once and sort by support, unmatched labels listed") {
    SubmissionScore score(
        parse_submissions("a.eml\tclean\nb.eml\tclean\nc.eml\tclean\n"
                          "gone.eml\tspam\n",
                          "l"));
    for (const char* f : {"a.eml", "b.eml"}) {
        auto v = message("n", "spoofy.example", std::string("<") + f + ">");
        for (const char* to : {"x@contoso.com", "y@contoso.com"}) {
            auto r = recipient(to, Folder::junk, Folder::junk);
            r.detections.push_back(hit(Detection::spoof));
            v.recipients.push_back(r);
        }
        score.add(v, f);
    }
    auto c = message("z", "bulk.example", "<c>");
    auto rc = recipient("x@contoso.com", Folder::junk, Folder::junk);
    rc.detections.push_back(hit(Detection::bulk));
    c.recipients.push_back(rc);
    score.add(c, "c.eml");
    CHECK_FALSE(score.add(message("q", "q.example", "<q>"), "unlabelled.eml"));
    const auto s = score.suggestions();
    REQUIRE(s.size() == 2);
    CHECK(s[0].kind == "tabl_spoof_allow");
    CHECK(s[0].messages == 2);  // two messages, four recipient verdicts
    CHECK(s[0].examples.size() == 2);
    CHECK(s[1].kind == "tabl_sender_allow");
    CHECK(score.totals().false_positives == 5);
    const auto missing = score.unmatched();
    REQUIRE(missing.size() == 1);
    CHECK(missing[0].message == "gone.eml");
}

TEST_CASE("a mailing list's spoof false positive with a passing ARC chain: trust the sealer") {
    SubmissionScore score(parse_submissions("list.eml\tclean\n", "l"));
    auto v = message("alice", "fabrikam.example", "<list@x>");
    v.auth.arc.cv = arc::ChainStatus::pass;
    arc::ArcSetInfo set;
    set.instance = 1;
    set.cv = arc::ChainStatus::none;
    set.seal_domain = "lists.example";
    set.ams_domain = "lists.example";
    v.auth.arc.sets.push_back(set);
    v.auth.arc.instances = 1;
    auto r = recipient("megan@contoso.com", Folder::rejected, Folder::rejected);
    r.detections.push_back(hit(Detection::spoof));
    v.recipients.push_back(r);
    score.add(v, "list.eml");
    const auto s = score.suggestions();
    REQUIRE(s.size() == 1);
    CHECK(s[0].kind == "trusted_arc_sealer");
    CHECK(s[0].target == "lists.example");
    // Without a passing chain the same false positive gets the spoofed-sender pair.
    v.auth.arc.cv = arc::ChainStatus::fail;
    SubmissionScore broken(parse_submissions("list.eml\tclean\n", "l"));
    broken.add(v, "list.eml");
    REQUIRE(broken.suggestions().size() == 1);
    CHECK(broken.suggestions()[0].kind == "tabl_spoof_allow");
}

TEST_CASE("spoof false positive relayed by the filter outside its connector: skip its IP") {
    const auto tenant = policy::Tenant::parse(R"(
tenant: {name: Contoso}
accepted_domains: [contoso.com]
mail_routing: {mx: third_party, mx_host: gateway.example.net}
inbound_connectors:
  - name: Inbound from gateway
    type: Partner
    sender_ip_addresses: [203.0.113.0/25]
)",
                                              "t.yaml");
    auto v = message("statements", "woodgrovebank.example", "<r@x>");
    v.connecting_ip = boost::asio::ip::make_address("203.0.113.140");
    v.ptr = "filter-out-9.Gateway.example.net";
    v.infrastructure.value = "example.net";
    auto r = recipient("nestor@contoso.com", Folder::quarantine, Folder::quarantine);
    r.detections.push_back(hit(Detection::spoof));
    v.recipients.push_back(r);

    SubmissionScore score(parse_submissions("r.eml\tclean\n", "l"), {}, &tenant);
    score.add(v, "r.eml");
    REQUIRE(score.suggestions().size() == 1);
    CHECK(score.suggestions()[0].kind == "connector_skip_ip");
    CHECK(score.suggestions()[0].target == "203.0.113.140");
    CHECK(score.suggestions()[0].where == "inbound connector Inbound from gateway");

    // A PTR that merely ends with the same letters is someone else; enhanced filtering
    // already on means the filter's IP was skipped: both get the spoofed-sender pair.
    v.ptr = "mail.notgateway.example.net";
    SubmissionScore other(parse_submissions("r.eml\tclean\n", "l"), {}, &tenant);
    other.add(v, "r.eml");
    REQUIRE(other.suggestions().size() == 1);
    CHECK(other.suggestions()[0].kind == "tabl_spoof_allow");
    v.ptr = "filter-out-9.gateway.example.net";
    v.enhanced_filtering = true;
    SubmissionScore skipped(parse_submissions("r.eml\tclean\n", "l"), {}, &tenant);
    skipped.add(v, "r.eml");
    CHECK(skipped.suggestions()[0].kind == "tabl_spoof_allow");
}

TEST_CASE("two applied overrides: the primary one (listed first) decided") {
    // A spoofed-sender allow delivered it; the SCL=-1 rule also matched afterwards. The
    // allow is what to undo (brief 11.3 primary override; report.cpp counts the same).
    SubmissionScore score(parse_submissions("two.eml\tphish\n", "l"));
    auto v = message("it", "fabrikam.example", "<two@x>");
    auto r = recipient("megan@contoso.com", Folder::quarantine, Folder::inbox);
    r.detections.push_back(hit(Detection::spoof));
    verdict::Override allow;
    allow.mechanism = "spoof_allow";
    allow.source = "Tenant Allow/Block List";
    allow.entry = "fabrikam.example, 198.51.100.0/24";
    allow.applied = true;
    verdict::Override rule;
    rule.mechanism = "mail_flow_rule_bypass";
    rule.source = "Exchange transport rule";
    rule.entry = "SCL-1";
    rule.applied = true;
    r.overrides = {allow, rule};
    v.recipients.push_back(r);
    score.add(v, "two.eml");
    CHECK(score.false_negatives_by().at("override: Tenant Allow/Block List") == 1);
    REQUIRE(score.suggestions().size() == 1);
    CHECK(score.suggestions()[0].kind == "tabl_spoof_block");
}

TEST_CASE("mailbox intelligence observed only: Standard MoveToJmf, Strict Quarantine") {
    SubmissionScore score(parse_submissions("mi.eml\tphish\n", "l"));
    auto v = message("daniel.wilson.fab", "freemail.example", "<mi@x>");
    auto r = recipient("megan@contoso.com", Folder::inbox, Folder::inbox);
    r.detections.push_back(hit(Detection::mailbox_intelligence_impersonation));
    v.recipients.push_back(r);
    score.add(v, "mi.eml");
    REQUIRE(score.suggestions().size() == 1);
    // Brief 4.6 table: MailboxIntelligenceProtectionAction NoAction / MoveToJmf / Quarantine.
    CHECK(score.suggestions()[0].target ==
          "MailboxIntelligenceProtectionAction = MoveToJmf (Standard) or Quarantine (Strict)");
}
