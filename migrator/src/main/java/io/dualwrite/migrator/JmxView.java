package io.dualwrite.migrator;

import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;

/**
 * A long-running command's MBean ({@code io.dualwrite:type=<type>,name=<migration>}). JMX is a view:
 * a failure to register or unregister never stops the command.
 */
public final class JmxView {

    private final Object bean;
    private ObjectName name;

    public JmxView(Object bean) {
        this.bean = bean;
    }

    public static ObjectName objectName(String type, String migration) throws MalformedObjectNameException {
        String v = migration.matches("[A-Za-z0-9_.\\-]+") ? migration : ObjectName.quote(migration);
        return new ObjectName("io.dualwrite:type=" + type + ",name=" + v);
    }

    /** Shows the bean, replacing one a previous run left under the same name. */
    public void register(String type, String migration) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName n = objectName(type, migration);
            if (server.isRegistered(n)) {
                server.unregisterMBean(n);
            }
            server.registerMBean(bean, n);
            name = n;
        } catch (Exception | LinkageError e) {
            // a view only
        }
    }

    public void unregister() {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (Exception ignored) {
                // already gone
            }
        }
    }
}
