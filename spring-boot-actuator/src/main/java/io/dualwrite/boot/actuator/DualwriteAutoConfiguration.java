package io.dualwrite.boot.actuator;

import io.dualwrite.driver.metrics.DualwriteMetrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import javax.sql.DataSource;

/**
 * On the classpath of a Boot application that runs on the dualwrite driver: {@code /actuator/info} gets a
 * {@code dualwrite} section ({@link DualwriteInfoContributor}), and the driver's meters are bound to Boot's
 * registry as a {@code MeterBinder} bean, also with {@code management.metrics.use-global-registry=false}.
 */
@AutoConfiguration(after = DataSourceAutoConfiguration.class)
@ConditionalOnClass(InfoContributor.class)
public class DualwriteAutoConfiguration {

    @Bean
    @ConditionalOnBean(DataSource.class)
    @ConditionalOnMissingBean
    DualwriteInfoContributor dualwriteInfoContributor(DataSource dataSource) {
        return new DualwriteInfoContributor(dataSource);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterBinder.class)
    static class Meters {

        @Bean
        @ConditionalOnMissingBean
        DualwriteMetrics dualwriteMetrics() {
            return new DualwriteMetrics();
        }
    }
}
