package io.procwatch.toolkit;

import io.procwatch.normalize.FieldMapping;

import java.util.Set;
import java.util.TreeSet;

/**
 * The field names a {@code ProcessEvent} can carry: the Sysmon EID 1 names (System and EventData; Security
 * 4688 events are mapped onto them), the CIM names of {@code cim.map} and the fields the normalizer adds.
 * Used to check {@code @riskObject}, {@code @groupBy} and other field references in rule metadata.
 */
public final class EventFields {

    private static final Set<String> SYSMON = Set.of(
            // System
            "Provider", "Channel", "Computer", "EventRecordID", "SystemTime", "TimeCreated", "Level", "Task",
            "Keywords", "UserID",
            // EventData of Sysmon EID 1
            "RuleName", "UtcTime", "ProcessGuid", "ProcessId", "Image", "FileVersion", "Description", "Product",
            "Company", "OriginalFileName", "CommandLine", "CurrentDirectory", "User", "LogonGuid", "LogonId",
            "TerminalSessionId", "IntegrityLevel", "Hashes", "ParentProcessGuid", "ParentProcessId", "ParentImage",
            "ParentCommandLine", "ParentUser",
            // added by the normalizer
            "EventID", "EventCode", "vendor_product", "action",
            // Security 4688 names that stay on the event
            "SubjectUserSid", "SubjectUserName", "SubjectDomainName", "SubjectLogonId", "NewProcessId",
            "NewProcessName", "TokenElevationType", "TargetUserSid", "TargetUserName", "TargetDomainName",
            "TargetLogonId", "ParentProcessName", "MandatoryLabel");

    private static final Set<String> ALL;

    static {
        Set<String> all = new TreeSet<>(SYSMON);
        for (String map : new String[]{"cim.map", "security-4688.map"}) {
            for (FieldMapping.Row r : FieldMapping.load(map).rows()) {
                all.add(r.target());
            }
        }
        ALL = Set.copyOf(all);
    }

    private EventFields() {
    }

    /** True when a process event can carry this field. */
    public static boolean known(String name) {
        return ALL.contains(name);
    }

    /** Every known field, sorted. */
    public static Set<String> all() {
        return new TreeSet<>(ALL);
    }
}
