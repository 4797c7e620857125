package io.procwatch.normalize;

/** The two logs a process-creation event can come from. */
public enum LogSource {
    /** Microsoft-Windows-Sysmon/Operational, Event ID 1. */
    SYSMON("Microsoft Sysmon"),
    /** Security, Event ID 4688. */
    SECURITY("Microsoft Windows");

    private final String vendorProduct;

    LogSource(String vendorProduct) {
        this.vendorProduct = vendorProduct;
    }

    /** The CIM {@code vendor_product} value for events of this log. */
    public String vendorProduct() {
        return vendorProduct;
    }
}
