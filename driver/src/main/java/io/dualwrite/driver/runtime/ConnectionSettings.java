package io.dualwrite.driver.runtime;

import org.postgresql.Driver;

import java.util.Properties;

/** A dualwrite setting given as a connection property or in the URL's query ({@code ?name=value}); the property wins. */
final class ConnectionSettings {

    private ConnectionSettings() {
    }

    /** The setting's value as given, or null when neither the properties nor the URL have it. */
    static String value(String pgUrl, Properties info, String name) {
        String value = info == null ? null : info.getProperty(name);
        if (value == null) {
            Properties fromUrl = Driver.parseURL(pgUrl, null);
            value = fromUrl == null ? null : fromUrl.getProperty(name);
        }
        return value;
    }
}
