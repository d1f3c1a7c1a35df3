// Tenant files that load: every key of the full example, the defaults, the corpus files,
// Microsoft's recommended values and the small matching helpers.
#include <mailverdict/policy/tenant.hpp>

#include <doctest/doctest.h>

#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

using namespace mailverdict;
using namespace mailverdict::policy;
using namespace std::chrono;

namespace {

std::string data(const char* name) {
    return std::string{MV_SOURCE_DIR} + "/tests/policy/data/" + name;
}

boost::asio::ip::address ip(const char* text) {
    return boost::asio::ip::make_address(text);
}

std::vector<std::string> cidrs(const std::vector<IpNetwork>& networks) {
    std::vector<std::string> out;
    for (const auto& n : networks) {
        out.push_back(n.to_string());
    }
    return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("tenant load: minimal file gets Microsoft's defaults") {
    const Tenant t = Tenant::parse("tenant: {name: Contoso}\n");
    CHECK(t.name() == "Contoso");
    CHECK(t.source() == "tenant.yaml");
    CHECK(t.license() == License::mdo_plan2);
    CHECK(t.accepted_domains().empty());
    CHECK(t.mail_routing().mx == MxTarget::microsoft);
    CHECK(t.mail_routing().boundary_hosts == Strings{"*.mail.protection.outlook.com"});
    CHECK(t.mail_flow_rules().empty());
    // Presets exist with the recommended values but are off until the file turns them on.
    CHECK_FALSE(t.anti_phishing().strict.enabled);
    CHECK_FALSE(t.anti_phishing().standard.enabled);
    CHECK(t.anti_phishing().strict.kind == PolicyKind::strict_preset);
    CHECK(t.anti_phishing().strict.settings.phish_threshold_level == 4);
    CHECK(t.anti_phishing().default_policy.name == "Office365 AntiPhish Default");
    CHECK(t.anti_phishing().default_policy.enabled);
    CHECK(t.anti_phishing().default_policy.kind == PolicyKind::default_policy);
    CHECK(t.anti_spam().default_policy.name == "Default");
    CHECK(t.anti_spam().default_policy.settings.bulk_threshold == 7);
    CHECK(t.simulator().bypass_scl == -1);
    CHECK(t.simulator().compauth_codes.softpass == 201);
    CHECK(t.simulator().compauth_codes.not_checked == 301);
    CHECK(t.simulator().compauth_codes.bypass == 451);
    CHECK(t.simulator().compauth_codes.intra_org == 601);
    CHECK(t.simulator().dmarc_pct_mode == DmarcPctMode::message_hash);
    CHECK_FALSE(t.authentication().trust_microsoft_auth_results);
    CHECK_FALSE(t.authentication().trust_own_arc);
    CHECK(t.connection_filter().ip_allow_list.empty());
    CHECK_FALSE(t.connection_filter().enable_safe_list);
}

TEST_CASE("tenant load: every key of the full example") {
    const Tenant t = Tenant::load(data("full.yaml"));
    CHECK(t.name() == "Fabrikam Lab");
    CHECK(t.license() == License::mdo_plan1);

    REQUIRE(t.accepted_domains().size() == 3);
    CHECK(t.accepted_domains()[0].name == "fabrikam.com");  // lower-cased
    CHECK(t.accepted_domains()[1].type == AcceptedDomainType::internal_relay);
    CHECK(t.accepted_domains()[2].name == "xn--bcher-kva.example");  // A-label
    CHECK(t.accepted_domain("FABRIKAM.com.") == &t.accepted_domains()[0]);
    CHECK(t.accepted_domain("mail.fabrikam.com") == nullptr);
    CHECK(t.accepted_domain("mail.fabrikam.com", true) == &t.accepted_domains()[0]);
    CHECK(t.accepted_domain("x.sub.fabrikam.com", true) == &t.accepted_domains()[1]);

    const MailRouting& r = t.mail_routing();
    CHECK(r.mx == MxTarget::third_party);
    CHECK(r.mx_host == "mx.filter.example.net");
    CHECK(r.boundary_hosts == Strings{"*.mail.protection.outlook.com", "edge.fabrikam.com"});
    CHECK(r.internal_host_suffixes == Strings{"fabrikam.com"});
    // 192.168.1.10-192.168.1.20 split into CIDR blocks.
    CHECK(cidrs(r.internal_networks) == Strings{"10.0.0.0/8", "2001:db8:1::/48", "192.168.1.10/31",
                                                "192.168.1.12/30", "192.168.1.16/30",
                                                "192.168.1.20/32"});

    REQUIRE(t.groups().size() == 3);
    CHECK(t.groups()[0].members == Strings{"ann@fabrikam.com", "bob@fabrikam.com"});
    CHECK(t.is_group_member("finance", "ANN@fabrikam.com"));
    CHECK_FALSE(t.is_group_member("VIP", "ann@fabrikam.com"));
    CHECK(t.group("empty") != nullptr);

    REQUIRE(t.inbound_connectors().size() == 2);
    const InboundConnector& gw = t.inbound_connectors()[0];
    CHECK(gw.type == ConnectorType::partner);
    CHECK(gw.sender_domains == Strings{"*"});
    CHECK(gw.tls_sender_certificate_name == "*.filter.example.net");
    CHECK(gw.require_tls);
    CHECK(gw.restrict_domains_to_certificate);
    CHECK(gw.restrict_domains_to_ip_addresses);
    CHECK(gw.enhanced_filtering.enabled());
    CHECK(gw.enhanced_filtering.skip_last_ip);
    CHECK(cidrs(gw.enhanced_filtering.skip_ips) == Strings{"198.51.100.0/24", "203.0.113.1/32",
                                                           "203.0.113.2/31", "203.0.113.4/31",
                                                           "203.0.113.6/32"});
    CHECK(gw.enhanced_filtering.applies_to({"Ann@fabrikam.com"}));
    CHECK_FALSE(gw.enhanced_filtering.applies_to({"ann@fabrikam.com", "bob@fabrikam.com"}));
    const InboundConnector& onprem = t.inbound_connectors()[1];
    CHECK(onprem.type == ConnectorType::on_premises);
    CHECK_FALSE(onprem.enabled);
    CHECK(onprem.treat_messages_as_internal);
    CHECK_FALSE(onprem.enhanced_filtering.enabled());
    CHECK(t.connector_for_ip(ip("198.51.100.9")) == &gw);
    CHECK(t.connector_for_ip(ip("192.0.2.1")) == nullptr);  // disabled connector
    CHECK(t.connector("FILTER") == &gw);

    // Rules are sorted by priority.
    REQUIRE(t.mail_flow_rules().size() == 2);
    const MailFlowRule& first = t.mail_flow_rules()[0];
    CHECK(first.name == "First");
    CHECK(first.priority == 1);
    CHECK(first.line == 69);
    CHECK_FALSE(first.enabled);
    CHECK(first.actions.set_scl == -1);
    REQUIRE(first.actions.set_headers.size() == 1);
    CHECK(first.actions.set_headers[0].name == "X-ETR");
    CHECK(first.conditions.sent_to_member_of == Strings{"Finance"});  // canonical group name
    REQUIRE(first.conditions.headers.size() == 2);
    const HeaderCondition& contains = first.conditions.headers[0];
    CHECK(contains.test == HeaderTest::contains);
    CHECK(contains.values == Strings{"clean", "safe"});
    CHECK(contains.matches_value("verdict=CLEAN; score=1"));
    CHECK_FALSE(contains.matches_value("dirty"));
    const HeaderCondition& matches = first.conditions.headers[1];
    CHECK(matches.test == HeaderTest::matches);
    REQUIRE(matches.patterns.size() == 1);
    CHECK(matches.matches_value("FAB-123"));
    CHECK_FALSE(matches.matches_value("fab-12x"));
    const MailFlowRule& second = t.mail_flow_rules()[1];
    CHECK(second.name == "Second");
    CHECK(second.mode == RuleMode::audit_and_notify);
    CHECK(second.actions.set_scl == 6);
    CHECK(second.actions.stop_processing);
    CHECK(second.conditions.from_scope == FromScope::not_in_organization);
    CHECK(second.conditions.from_connectors == Strings{"Filter"});
    CHECK(second.conditions.recipient_domain_is == Strings{"fabrikam.com"});
    CHECK(second.conditions.sent_to == Strings{"ann@fabrikam.com"});
    CHECK(second.conditions.sender_domain_is == Strings{"partner.example"});
    REQUIRE(second.exceptions.headers.size() == 1);
    CHECK(second.exceptions.headers[0].test == HeaderTest::exists);
    CHECK_FALSE(second.exceptions.empty());

    // Anti-phishing.
    const AntiPhishPolicies& ap = t.anti_phishing();
    CHECK_FALSE(ap.strict.enabled);
    CHECK(ap.strict.conditions.groups == Strings{"VIP"});
    CHECK(ap.strict.exceptions.users == Strings{"ceo@fabrikam.com"});
    REQUIRE(ap.strict.settings.targeted_users_to_protect.size() == 1);
    CHECK(ap.strict.settings.targeted_users_to_protect[0].display_name == "CEO");
    CHECK(ap.strict.settings.targeted_users_to_protect[0].address == "ceo@fabrikam.com");
    CHECK(ap.strict.settings.targeted_domains_to_protect == Strings{"contoso.com"});
    CHECK(ap.strict.settings.excluded_senders == Strings{"partner@partner.example"});
    CHECK(ap.strict.settings.excluded_domains == Strings{"partner.example"});
    CHECK(ap.strict.settings.authentication_fail_action == SpoofAction::quarantine);  // Strict
    CHECK(ap.standard.enabled);  // listed without enabled: on
    CHECK(ap.standard.conditions.domains == Strings{"fabrikam.com"});
    REQUIRE(ap.custom.size() == 1);
    const AntiPhishSettings& s = ap.custom[0].settings;
    CHECK(ap.custom[0].name == "Finance");
    CHECK(ap.custom[0].conditions.groups == Strings{"Finance"});
    CHECK(ap.custom[0].conditions.domains == Strings{"fabrikam.com"});
    CHECK(ap.custom[0].exceptions.users == Strings{"bob@fabrikam.com"});
    CHECK(s.phish_threshold_level == 2);
    CHECK(s.enable_spoof_intelligence);
    CHECK_FALSE(s.honor_dmarc_policy);
    CHECK(s.dmarc_quarantine_action == DmarcQuarantineAction::move_to_jmf);
    CHECK(s.dmarc_reject_action == DmarcRejectAction::quarantine);
    CHECK(s.authentication_fail_action == SpoofAction::quarantine);
    CHECK(s.spoof_quarantine_tag == "MySpoofTag");
    CHECK_FALSE(s.enable_unauthenticated_sender);
    CHECK_FALSE(s.enable_via_tag);
    CHECK_FALSE(s.enable_first_contact_safety_tips);  // overrides based_on: standard
    CHECK_FALSE(s.enable_similar_users_safety_tips);
    CHECK_FALSE(s.enable_similar_domains_safety_tips);
    CHECK_FALSE(s.enable_unusual_characters_safety_tips);
    CHECK(s.enable_targeted_user_protection);
    CHECK(s.targeted_user_protection_action == ImpersonationAction::redirect);
    CHECK(s.targeted_user_action_recipients == Strings{"soc@fabrikam.com"});
    CHECK(s.targeted_user_quarantine_tag == "UserTag");
    CHECK_FALSE(s.enable_organization_domains_protection);
    CHECK(s.enable_targeted_domains_protection);
    CHECK(s.targeted_domains_to_protect == Strings{"contoso.com", "tailspin.example"});
    CHECK(s.targeted_domain_protection_action == ImpersonationAction::bcc_message);
    CHECK(s.targeted_domain_action_recipients == Strings{"soc@fabrikam.com"});
    CHECK(s.targeted_domain_quarantine_tag == "DomainTag");
    CHECK_FALSE(s.enable_mailbox_intelligence);
    CHECK_FALSE(s.enable_mailbox_intelligence_protection);
    CHECK(s.mailbox_intelligence_protection_action == ImpersonationAction::delete_message);
    CHECK(s.mailbox_intelligence_quarantine_tag == "MiTag");
    CHECK(s.excluded_senders == Strings{"noreply@email.teams.microsoft.com"});
    CHECK(ap.default_policy.settings.phish_threshold_level == 2);
    CHECK(ap.default_policy.settings.authentication_fail_action == SpoofAction::quarantine);

    // Anti-spam.
    const AntiSpamPolicies& as = t.anti_spam();
    CHECK(as.strict.enabled);
    CHECK_FALSE(as.standard.enabled);
    REQUIRE(as.custom.size() == 1);
    const AntiSpamSettings& a = as.custom[0].settings;
    CHECK(as.custom[0].priority == 3);
    CHECK(a.spam_action == SpamFilterAction::add_x_header);
    CHECK(a.high_confidence_spam_action == SpamFilterAction::modify_subject);
    CHECK(a.phish_spam_action == SpamFilterAction::redirect);
    CHECK(a.high_confidence_phish_action == SpamFilterAction::redirect);
    CHECK(a.bulk_spam_action == SpamFilterAction::no_action);
    CHECK(a.bulk_threshold == 4);
    CHECK_FALSE(a.mark_as_spam_bulk_mail);
    CHECK(a.add_x_header_value == "X-Fabrikam-Spam: yes");
    CHECK(a.modify_subject_value == "[SPAM] ");
    CHECK(a.redirect_to_recipients == Strings{"quarantine@fabrikam.com"});
    CHECK(a.spam_quarantine_tag == "T1");
    CHECK(a.high_confidence_spam_quarantine_tag == "T2");
    CHECK(a.phish_quarantine_tag == "T3");
    CHECK(a.high_confidence_phish_quarantine_tag == "T4");
    CHECK(a.bulk_quarantine_tag == "T5");
    CHECK(a.quarantine_retention_period == 20);
    CHECK(a.allowed_senders == Strings{"friend@partner.example"});
    CHECK(a.allowed_sender_domains == Strings{"partner.example"});
    CHECK(a.blocked_senders == Strings{"enemy@bad.example"});
    CHECK(a.blocked_sender_domains == Strings{"bad.example"});
    CHECK(as.default_policy.settings.bulk_threshold == 5);  // based_on standard (6), then 5
    CHECK(as.default_policy.settings.high_confidence_spam_action == SpamFilterAction::quarantine);

    // Connection filter.
    CHECK(cidrs(t.connection_filter().ip_allow_list) == Strings{"192.0.2.0/24", "192.0.2.200/32"});
    CHECK(cidrs(t.connection_filter().ip_block_list) ==
          Strings{"198.51.100.7/32", "203.0.113.10/31", "203.0.113.12/32"});
    CHECK(t.connection_filter().enable_safe_list);

    // Tenant Allow/Block List.
    const TenantAllowBlockList& tabl = t.allow_block_list();
    REQUIRE(tabl.senders.size() == 3);
    CHECK(tabl.senders[0].kind == SenderEntry::Kind::address);
    CHECK(tabl.senders[0].value == "bad@evil.example");
    CHECK(tabl.senders[0].notes == "phishing run");
    REQUIRE(tabl.senders[0].expires.has_value());
    CHECK(*tabl.senders[0].expires == sys_days{2031y / January / 15});
    CHECK(tabl.senders[0].active_on(sys_days{2031y / January / 15}));
    CHECK_FALSE(tabl.senders[0].active_on(sys_days{2031y / January / 16}));
    CHECK(tabl.senders[0].matches("BAD@evil.example"));
    CHECK(tabl.senders[1].kind == SenderEntry::Kind::wildcard_domain);
    CHECK(tabl.senders[1].value == "evil.example");
    CHECK(tabl.senders[1].matches("x@mail.evil.example"));
    CHECK(tabl.senders[1].matches("x@evil.example"));
    CHECK_FALSE(tabl.senders[1].matches("x@notevil.example"));
    CHECK(tabl.senders[2].kind == SenderEntry::Kind::domain);
    CHECK(tabl.senders[2].action == ListAction::allow);
    CHECK_FALSE(tabl.senders[2].expires.has_value());
    CHECK(tabl.senders[2].matches("a@partner.example"));
    CHECK_FALSE(tabl.senders[2].matches("a@sub.partner.example"));  // no subdomains
    REQUIRE(tabl.spoofed_senders.size() == 3);
    const SpoofPair& by_ip = tabl.spoofed_senders[0];
    REQUIRE(by_ip.infrastructure_network.has_value());
    CHECK(by_ip.infrastructure_network->to_string() == "192.0.2.0/24");
    CHECK(by_ip.spoof_type == SpoofType::internal);
    CHECK(by_ip.matches_user("ceo@fabrikam.com"));
    CHECK(by_ip.matches_infrastructure("", ip("192.0.2.200")));
    CHECK_FALSE(by_ip.matches_infrastructure("", ip("192.0.3.1")));
    CHECK_FALSE(by_ip.matches_infrastructure("", std::nullopt));
    const SpoofPair& any_user = tabl.spoofed_senders[1];
    CHECK(any_user.spoofed_user == "*");
    CHECK(any_user.matches_user("anyone@anywhere.example"));
    CHECK(any_user.matches_infrastructure("BAD.example", std::nullopt));
    CHECK_FALSE(any_user.spoof_type.has_value());
    const SpoofPair& any_infra = tabl.spoofed_senders[2];
    CHECK(any_infra.matches_user("chris@partner.example"));
    CHECK_FALSE(any_infra.matches_user("pat@partner.example"));
    CHECK(any_infra.matches_infrastructure("", std::nullopt));
    CHECK(cidrs(tabl.ip_blocks) == Strings{"2001:db8:bad::/48"});

    REQUIRE(t.spoof_intelligence().size() == 2);
    CHECK(t.spoof_intelligence()[0].infrastructure_domain == "mail.sender.example");
    CHECK(t.spoof_intelligence()[1].action == ListAction::block);

    CHECK(t.trusted_arc_sealers() == Strings{"filter.example.net"});
    CHECK(t.advanced_delivery().secops_mailboxes == Strings{"secops@fabrikam.com"});
    const PhishingSimulation& sim = t.advanced_delivery().phishing_simulation;
    CHECK(sim.configured());
    CHECK(sim.domains == Strings{"sim.example"});
    CHECK(cidrs(sim.sending_ips) == Strings{"192.0.2.50/32", "192.0.2.60/31"});
    CHECK(sim.simulation_urls == Strings{"https://sim.example/*"});

    CHECK(t.authentication().trusted_authserv_ids == Strings{"mx.filter.example.net"});
    CHECK(t.authentication().trust_microsoft_auth_results);
    CHECK(t.authentication().trust_own_arc);

    REQUIRE(t.upstream_signals().size() == 3);
    const UpstreamSignal& flag = t.upstream_signals()[0];
    CHECK(flag.test == SignalTest::equals);
    CHECK(flag.matches_value(" yes\r\n"));
    CHECK_FALSE(flag.matches_value("NO"));
    const UpstreamSignal& score = t.upstream_signals()[1];
    CHECK(score.test == SignalTest::at_least);
    CHECK(score.threshold == doctest::Approx(5.5));
    CHECK(score.matches_value("5.5"));
    CHECK(score.matches_value("12.1 (required 5.0)"));
    CHECK_FALSE(score.matches_value("5.4"));
    CHECK_FALSE(score.matches_value("high"));
    const UpstreamSignal& bulk = t.upstream_signals()[2];
    CHECK(bulk.verdict == UpstreamVerdict::bulk);
    CHECK(bulk.bcl == 7);
    CHECK(bulk.matches_value("Bulk-Mail"));

    CHECK(t.simulator().bypass_scl == 0);
    CHECK(t.simulator().compauth_codes.softpass == 202);
    CHECK(t.simulator().compauth_codes.not_checked == 302);
    CHECK(t.simulator().compauth_codes.bypass == 905);
    CHECK(t.simulator().compauth_codes.intra_org == 602);
    CHECK(t.simulator().dmarc_pct_mode == DmarcPctMode::always_apply);
    CHECK(t.simulator().dmarc_pct_seed == 42);

    // Envelope options for derive_envelope().
    const EnvelopeOptions plain = t.envelope_options();
    CHECK(plain.boundary_patterns == r.boundary_hosts);
    CHECK(plain.trusted_host_suffixes == Strings{"fabrikam.com"});
    CHECK(plain.skip_listed_networks.empty());
    CHECK_FALSE(plain.skip_last_ip);
    const EnvelopeOptions ef = t.envelope_options(&gw);
    CHECK(ef.skip_listed_networks.size() == 5);
    CHECK(ef.skip_last_ip);
}

TEST_CASE("tenant load: every corpus tenant file loads") {
    const std::filesystem::path dir = std::string{MV_SOURCE_DIR} + "/corpus/tenants";
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".yaml") {
            continue;
        }
        INFO(entry.path().string());
        CHECK_NOTHROW((void)Tenant::load(entry.path()));
        ++count;
    }
    CHECK(count >= 4);
}

TEST_CASE("tenant load: the pilot scenarios of the migration guide") {
    const std::string dir = std::string{MV_SOURCE_DIR} + "/corpus/tenants/";
    const Tenant before = Tenant::load(dir + "before-pilot.yaml");
    // The SCL=-1 rule, then the rule that maps the gateway's X-Spam-Flag to SCL 6 (brief 8).
    REQUIRE(before.mail_flow_rules().size() == 2);
    CHECK(before.mail_flow_rules()[0].actions.set_scl == -1);
    CHECK(before.mail_flow_rules()[0].exceptions.empty());
    CHECK(before.mail_flow_rules()[1].actions.set_scl == 6);
    CHECK(before.mail_flow_rules()[1].conditions.headers.size() == 1);
    CHECK_FALSE(before.inbound_connectors()[0].enhanced_filtering.enabled());
    CHECK(before.mail_routing().mx == MxTarget::third_party);

    const Tenant pilot = Tenant::load(dir + "pilot.yaml");
    CHECK(pilot.mail_flow_rules()[0].enabled);
    CHECK(pilot.mail_flow_rules()[0].exceptions.sent_to_member_of ==
          Strings{"MDOPilot_SpamPhish_Standard", "MDOPilot_SpamPhish_Strict"});
    const InboundConnector& gw = pilot.inbound_connectors()[0];
    CHECK(gw.enhanced_filtering.enabled());
    CHECK(cidrs(gw.enhanced_filtering.skip_ips) == Strings{"203.0.113.0/25"});
    REQUIRE(pilot.anti_phishing().custom.size() == 2);
    const AntiPhishPolicy& strict = pilot.anti_phishing().custom[0];
    const AntiPhishPolicy& standard = pilot.anti_phishing().custom[1];
    CHECK(strict.name == "MDOPilot AntiPhish Strict");  // priority 0 first
    CHECK(strict.settings.authentication_fail_action == SpoofAction::quarantine);
    CHECK(standard.settings.authentication_fail_action == SpoofAction::move_to_jmf);
    CHECK(strict.settings.phish_threshold_level == 4);
    CHECK(standard.settings.phish_threshold_level == 3);
    // The pilot at the end of onboarding step 4 (brief 13.3): the impersonation actions that
    // setup step 5d left at NoAction are on, as in the presets (brief 4.6).
    for (const AntiPhishPolicy* p : {&strict, &standard}) {
        CHECK(p->settings.targeted_user_protection_action == ImpersonationAction::quarantine);
        CHECK(p->settings.targeted_domain_protection_action == ImpersonationAction::quarantine);
        CHECK(p->settings.targeted_users_to_protect.size() == 2);
    }
    CHECK(strict.settings.mailbox_intelligence_protection_action ==
          ImpersonationAction::quarantine);
    CHECK(standard.settings.mailbox_intelligence_protection_action ==
          ImpersonationAction::move_to_jmf);
    REQUIRE(pilot.anti_spam().custom.size() == 2);
    CHECK(pilot.anti_spam().custom[0].settings.spam_action == SpamFilterAction::quarantine);
    CHECK(pilot.anti_spam().custom[1].settings.spam_action == SpamFilterAction::move_to_jmf);
    CHECK(pilot.anti_spam().custom[0].settings.bulk_threshold == 5);
    CHECK(pilot.anti_spam().custom[1].settings.bulk_threshold == 6);

    const Tenant strict_all = Tenant::load(dir + "strict-everyone.yaml");
    CHECK(strict_all.anti_phishing().strict.enabled);
    CHECK(strict_all.anti_phishing().strict.conditions.empty());
    CHECK(strict_all.anti_spam().strict.enabled);
    CHECK_FALSE(strict_all.mail_flow_rules()[0].enabled);

    const Tenant after = Tenant::load(dir + "after-cutover.yaml");
    CHECK(after.mail_routing().mx == MxTarget::microsoft);
    CHECK_FALSE(after.mail_flow_rules()[0].enabled);
    CHECK(after.anti_phishing().standard.enabled);
    CHECK(after.anti_spam().standard.enabled);
    CHECK_FALSE(after.inbound_connectors()[0].restrict_domains_to_certificate);
    CHECK_FALSE(after.inbound_connectors()[0].restrict_domains_to_ip_addresses);
}

TEST_CASE("recommended values: anti-phishing (brief 4.5, 4.6)") {
    const auto d = recommended_anti_phish_settings(PolicyLevel::default_policy);
    const auto std_ = recommended_anti_phish_settings(PolicyLevel::standard);
    const auto strict = recommended_anti_phish_settings(PolicyLevel::strict);
    for (const auto* s : {&d, &std_, &strict}) {
        CHECK(s->enable_spoof_intelligence);
        CHECK(s->honor_dmarc_policy);
        CHECK(s->dmarc_quarantine_action == DmarcQuarantineAction::quarantine);
        CHECK(s->dmarc_reject_action == DmarcRejectAction::reject);
        CHECK(s->enable_unauthenticated_sender);
        CHECK(s->enable_via_tag);
        CHECK(s->enable_mailbox_intelligence);
        CHECK(s->excluded_senders.empty());
    }
    CHECK(d.phish_threshold_level == 1);
    CHECK(std_.phish_threshold_level == 3);
    CHECK(strict.phish_threshold_level == 4);
    CHECK(d.authentication_fail_action == SpoofAction::move_to_jmf);
    CHECK(std_.authentication_fail_action == SpoofAction::move_to_jmf);
    CHECK(strict.authentication_fail_action == SpoofAction::quarantine);
    CHECK(strict.spoof_quarantine_tag == "DefaultFullAccessWithNotificationPolicy");
    CHECK_FALSE(d.enable_first_contact_safety_tips);
    CHECK(std_.enable_first_contact_safety_tips);
    CHECK_FALSE(d.enable_targeted_user_protection);
    CHECK(std_.enable_targeted_user_protection);
    CHECK(d.targeted_user_protection_action == ImpersonationAction::no_action);
    CHECK(std_.targeted_user_protection_action == ImpersonationAction::quarantine);
    CHECK(strict.targeted_domain_protection_action == ImpersonationAction::quarantine);
    CHECK_FALSE(d.enable_organization_domains_protection);
    CHECK(std_.enable_organization_domains_protection);
    CHECK_FALSE(d.enable_mailbox_intelligence_protection);
    CHECK(std_.enable_mailbox_intelligence_protection);
    CHECK(d.mailbox_intelligence_protection_action == ImpersonationAction::no_action);
    CHECK(std_.mailbox_intelligence_protection_action == ImpersonationAction::move_to_jmf);
    CHECK(strict.mailbox_intelligence_protection_action == ImpersonationAction::quarantine);
    CHECK(std_.mailbox_intelligence_quarantine_tag == "DefaultFullAccessPolicy");
    CHECK(strict.mailbox_intelligence_quarantine_tag == "DefaultFullAccessWithNotificationPolicy");
    CHECK_FALSE(d.enable_similar_users_safety_tips);
    CHECK(strict.enable_similar_domains_safety_tips);
    CHECK(strict.enable_unusual_characters_safety_tips);
}

TEST_CASE("recommended values: anti-spam (brief 4.7)") {
    const auto d = recommended_anti_spam_settings(PolicyLevel::default_policy);
    const auto std_ = recommended_anti_spam_settings(PolicyLevel::standard);
    const auto strict = recommended_anti_spam_settings(PolicyLevel::strict);
    CHECK(d.bulk_threshold == 7);
    CHECK(std_.bulk_threshold == 6);
    CHECK(strict.bulk_threshold == 5);
    CHECK(d.spam_action == SpamFilterAction::move_to_jmf);
    CHECK(std_.spam_action == SpamFilterAction::move_to_jmf);
    CHECK(strict.spam_action == SpamFilterAction::quarantine);
    CHECK(d.high_confidence_spam_action == SpamFilterAction::move_to_jmf);
    CHECK(std_.high_confidence_spam_action == SpamFilterAction::quarantine);
    CHECK(d.phish_spam_action == SpamFilterAction::move_to_jmf);
    CHECK(std_.phish_spam_action == SpamFilterAction::quarantine);
    for (const auto* s : {&d, &std_, &strict}) {
        CHECK(s->high_confidence_phish_action == SpamFilterAction::quarantine);
        CHECK(s->high_confidence_phish_quarantine_tag == "AdminOnlyAccessPolicy");
        CHECK(s->mark_as_spam_bulk_mail);
        CHECK(s->allowed_senders.empty());
    }
    CHECK(d.bulk_spam_action == SpamFilterAction::move_to_jmf);
    CHECK(std_.bulk_spam_action == SpamFilterAction::move_to_jmf);
    CHECK(strict.bulk_spam_action == SpamFilterAction::quarantine);
    CHECK(d.quarantine_retention_period == 15);
    CHECK(strict.quarantine_retention_period == 30);
}

TEST_CASE("recommended values: Tenant::preset returns the presets of both types") {
    const Tenant t = Tenant::parse(
        "tenant: {name: x}\naccepted_domains: [contoso.com]\n"
        "anti_phishing:\n  standard:\n    impersonation:\n"
        "      users_to_protect: [\"Boss;boss@contoso.com\"]\n"
        "anti_spam:\n  strict: {}\n");
    const PresetPolicies standard = t.preset(PolicyLevel::standard);
    CHECK(standard.anti_phishing.enabled);
    CHECK(standard.anti_phishing.kind == PolicyKind::standard_preset);
    CHECK(standard.anti_phishing.settings.phish_threshold_level == 3);
    REQUIRE(standard.anti_phishing.settings.targeted_users_to_protect.size() == 1);
    CHECK(standard.anti_phishing.settings.targeted_users_to_protect[0].address ==
          "boss@contoso.com");
    CHECK_FALSE(standard.anti_spam.enabled);
    CHECK(standard.anti_spam.settings.bulk_threshold == 6);
    const PresetPolicies strict = t.preset(PolicyLevel::strict);
    CHECK(strict.anti_spam.enabled);  // "strict: {}" turns it on, for everyone
    CHECK(strict.anti_spam.settings.spam_action == SpamFilterAction::quarantine);
    CHECK(&t.preset(PolicyLevel::default_policy).anti_phishing ==
          &t.anti_phishing().default_policy);
}

TEST_CASE("tenant load: scalars as PowerShell writes them, nulls as empty lists") {
    const Tenant t = Tenant::parse(
        "tenant: {name: x}\n"
        "authentication:\n"
        "  trust_microsoft_auth_results: $True\n"
        "  trust_own_arc: FALSE\n"
        "  trusted_authserv_ids:\n"
        "anti_phishing:\n"
        "  default:\n"
        "    spoof:\n"
        "      authentication_fail_action: quarantine\n");
    CHECK(t.authentication().trust_microsoft_auth_results);
    CHECK_FALSE(t.authentication().trust_own_arc);
    CHECK(t.authentication().trusted_authserv_ids.empty());
    CHECK(t.anti_phishing().default_policy.settings.authentication_fail_action ==
          SpoofAction::quarantine);
}

TEST_CASE("tenant load: aliases are followed, within a node budget") {
    const Tenant t = Tenant::parse(
        "tenant: {name: x}\n"
        "groups:\n"
        "  A: &members [a@contoso.com, b@contoso.com]\n"
        "  B: *members\n");
    CHECK(t.groups()[1].members == Strings{"a@contoso.com", "b@contoso.com"});
}

TEST_CASE("tenant load: to_string gives the PowerShell spellings") {
    CHECK(to_string(ImpersonationAction::bcc_message) == "BccMessage");
    CHECK(to_string(ImpersonationAction::delete_message) == "Delete");
    CHECK(to_string(SpamFilterAction::add_x_header) == "AddXHeader");
    CHECK(to_string(SpoofAction::move_to_jmf) == "MoveToJmf");
    CHECK(to_string(DmarcRejectAction::reject) == "Reject");
    CHECK(to_string(ConnectorType::on_premises) == "OnPremises");
    CHECK(to_string(RuleMode::audit_and_notify) == "AuditAndNotify");
    CHECK(to_string(UpstreamVerdict::high_confidence_phish) == "high_confidence_phish");
    CHECK(to_string(PolicyKind::standard_preset) == "standard preset");
}

TEST_CASE("tenant load: the complete example of docs/tenant-file.md loads") {
    std::ifstream in{std::string{MV_SOURCE_DIR} + "/docs/tenant-file.md"};
    REQUIRE(in.good());
    const std::string doc{std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{}};
    const auto section = doc.find("## Complete example");
    REQUIRE(section != std::string::npos);
    const auto begin = doc.find("```yaml\n", section);
    REQUIRE(begin != std::string::npos);
    const auto end = doc.find("```\n", begin + 8);
    REQUIRE(end != std::string::npos);
    const Tenant t = Tenant::parse(doc.substr(begin + 8, end - begin - 8), "tenant-file.md");
    CHECK(t.name() == "Contoso");
    CHECK(t.accepted_domains().size() == 2);
    CHECK(t.anti_phishing().custom.size() == 2);
    CHECK(t.anti_spam().custom.size() == 2);
    CHECK(t.mail_flow_rules()[0].exceptions.sent_to_member_of.size() == 2);
}
