package io.procwatch.detect;

import io.procwatch.time.ScheduleWindow;

import java.util.List;

/**
 * A detection's metadata, read from its DRL annotations ({@code @id}, {@code @title}, {@code @riskScore}, …)
 * by {@link RuleCatalog}. Nothing here is written in Java: a rule engineer changes it in the DRL file.
 *
 * @param ruleName       the DRL rule name
 * @param packageName    the DRL package
 * @param id             {@code @id}, a UUID
 * @param title          {@code @title}
 * @param description    {@code @description}
 * @param riskScore      {@code @riskScore}, or derived from {@code @level} (see {@link RiskLevels})
 * @param riskObject     {@code @riskObject}: the event field whose value is the risk object ({@code dest})
 * @param riskObjectType {@code @riskObjectType} ({@code system})
 * @param riskMessage    {@code @riskMessage}, with {@code $field$} placeholders
 * @param mitre          {@code @mitre}: comma-separated ATT&amp;CK ids
 * @param notableFields  {@code @notableFields}
 * @param securityDomain {@code @securityDomain}, default {@code endpoint}
 * @param window         from {@code @schedule}, {@code @earliest}, {@code @latest}
 * @param groupBy        {@code @groupBy}: the fields a notable is grouped by (space or comma separated)
 * @param fillNull       {@code @fillnull}: the value a missing or empty group-by field takes (Splunk's
 *                       {@code fillnull} writes {@code 0}); {@code null} keeps it missing
 * @param labels         level, status and tags ({@code @level}, {@code @status}, {@code @mitre}, {@code @tactics},
 *                       {@code @tags}): what analysts select rules by and pivot on
 */
public record DetectionRule(
        String ruleName,
        String packageName,
        String id,
        String title,
        String description,
        int riskScore,
        String riskObject,
        String riskObjectType,
        String riskMessage,
        List<String> mitre,
        List<String> notableFields,
        String securityDomain,
        ScheduleWindow window,
        List<String> groupBy,
        String fillNull,
        RuleLabels labels) {

    /** A detection whose labels are derived from its risk score alone. */
    public DetectionRule(String ruleName, String packageName, String id, String title, String description,
                         int riskScore, String riskObject, String riskObjectType, String riskMessage,
                         List<String> mitre, List<String> notableFields, String securityDomain,
                         ScheduleWindow window, List<String> groupBy, String fillNull) {
        this(ruleName, packageName, id, title, description, riskScore, riskObject, riskObjectType, riskMessage,
                mitre, notableFields, securityDomain, window, groupBy, fillNull, RuleLabels.ofScore(riskScore));
    }

    /** Severity from the risk score: ≤20 informational, ≤40 low, ≤60 medium, ≤80 high, else critical. */
    public String severity() {
        return RiskLevels.severity(riskScore);
    }
}
