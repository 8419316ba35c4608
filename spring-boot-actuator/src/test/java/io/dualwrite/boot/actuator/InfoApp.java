package io.dualwrite.boot.actuator;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The smallest Boot application: a DataSource and actuator, nothing of its own. */
@SpringBootApplication
class InfoApp {
}
