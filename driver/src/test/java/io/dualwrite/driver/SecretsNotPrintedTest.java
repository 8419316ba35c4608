package io.dualwrite.driver;

import io.dualwrite.control.ControlGrants;
import io.dualwrite.control.Secrets;
import io.dualwrite.driver.runtime.OperatorCredential;
import io.dualwrite.driver.runtime.RuntimeRegistry;
import io.dualwrite.rewriter.Phase;
import io.dualwrite.testing.Await;
import io.dualwrite.testing.PostgresExtension;
import io.dualwrite.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.management.Attribute;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Nothing the driver prints carries a password: not the URL's {@code password=}, not the {@code password} property, not
 * the operator's password; in its log, its thread names, its JMX attributes and its exceptions.
 */
@ExtendWith(PostgresExtension.class)
class SecretsNotPrintedTest {

    private static final String IN_URL = "urlSecret-4f1c";
    private static final String IN_PROPERTY = "propertySecret-9a2e";
    private static final String OPERATOR = "operatorSecret-77b0";

    @Test
    void passwordsStayOutOfLogsThreadNamesJmxAndExceptions(TestDatabase db) throws Exception {
        MigrationFixture.create(db, Phase.EXPANDED);
        String role = "secrets_" + db.name();
        db.execute("CREATE ROLE " + role + " LOGIN");
        ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
        Logger logger = Logger.getLogger("io.dualwrite.driver");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                log.add(r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        try {
            try (Connection owner = db.connect()) {
                ControlGrants.apply(owner, ControlGrants.statements(List.of(MigrationFixture.SPEC), role, null));
            }
            String url = Secrets.withoutParameters(db.dualwriteUrl(), "user", "password");
            url += (url.contains("?") ? "&" : "?") + "password=" + IN_URL;
            Properties p = new Properties();
            p.setProperty("user", role);
            p.setProperty("password", IN_PROPERTY);
            p.setProperty(RuntimeRegistry.INSTANCE_PROPERTY, "secrets");
            p.setProperty(OperatorCredential.USER_PROPERTY, "nobody_" + db.name());
            p.setProperty(OperatorCredential.PASSWORD_PROPERTY, OPERATOR);
            StringBuilder printed = new StringBuilder();
            try (Connection c = DriverManager.getConnection(url, p)) {
                MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();
                ObjectName bean = new ObjectName("io.dualwrite:type=Migration,name=users.email,instance=secrets");
                for (MBeanAttributeInfo a : mbeans.getMBeanInfo(bean).getAttributes()) {
                    Object value = mbeans.getAttribute(bean, a.getName());
                    printed.append(a.getName()).append('=').append(value instanceof Object[] o ? List.of(o) : value).append('\n');
                }
                assertThat(printed).contains("Database=", "password=" + Secrets.MASK, "Operator=nobody_");
                Throwable refused = catchThrowable(() -> mbeans.setAttribute(bean, new Attribute("Phase", "DUAL_WRITE")));
                assertThat(refused).as("the operator role does not exist").isNotNull();
                printed.append(messages(refused));
                Thread.getAllStackTraces().keySet().forEach(t -> printed.append(t.getName()).append('\n'));
                assertThat(printed).contains("dualwrite-follower");

                db.execute("REVOKE SELECT ON dualwrite.migration FROM " + role);
                Await.within(30_000, () -> log.stream().anyMatch(m -> m.contains("cannot read the control schema")),
                        "the follower logs that it lost the control schema");
            }
            printed.append(messages(catchThrowable(() -> DriverManager.getConnection(
                    "jdbc:dualwrite:postgresql://localhost:notaport/db?password=" + IN_URL, p))));
            printed.append(String.join("\n", log));

            assertThat(printed).contains("permission denied for table migration", "password=" + Secrets.MASK)
                    .doesNotContain(IN_URL, IN_PROPERTY, OPERATOR);
        } finally {
            logger.removeHandler(capture);
            db.execute("DROP OWNED BY " + role + "; DROP ROLE " + role);
        }
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable e = t; e != null; e = e.getCause()) {
            b.append(e).append('\n');
        }
        return b.toString();
    }

}
