package io.dualwrite.samples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application that knows nothing of dualwrite: Spring Data JPA on HikariCP, one entity on
 * {@code users}. Its only change for the migration is {@code spring.datasource.url=jdbc:dualwrite:postgresql://…}
 * (application.properties) and the driver jar on the classpath.
 */
@SpringBootApplication
public class BootSampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(BootSampleApplication.class, args);
    }
}
