package io.dualwrite.control;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SecretsTest {

    @Test
    void masksSecretNamedParametersUpToTheirSeparator() {
        assertThat(Secrets.redact("jdbc:postgresql://db/app?user=app&password=s3cr&t=1&sslpassword=k3y&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/app?user=app&password=***&t=1&sslpassword=***&ssl=true");
        assertThat(Secrets.redact("could not connect to jdbc:postgresql://db/app?PASSWORD=x y: refused"))
                .isEqualTo("could not connect to jdbc:postgresql://db/app?PASSWORD=*** y: refused");
        assertThat(Secrets.redact("{\"url\":\"jdbc:postgresql://db/app?password=x\"}"))
                .isEqualTo("{\"url\":\"jdbc:postgresql://db/app?password=***\"}");
        assertThat(Secrets.redact("'jdbc:postgresql://db/app?password=x' (from jdbc:dualwrite:postgresql://db/app?password=x)"))
                .isEqualTo("'jdbc:postgresql://db/app?password=***' (from jdbc:dualwrite:postgresql://db/app?password=***)");
        assertThat(Secrets.redact("passwords=none, user=app")).as("only a parameter form").isEqualTo("passwords=***, user=app");
        assertThat(Secrets.redact("nothing secret here")).isEqualTo("nothing secret here");
    }

    @Test
    void masksKnownValuesOfUsefulLength() {
        assertThat(Secrets.redact("login as app with hunter22 failed", List.of("hunter22", "ab", " ")))
                .isEqualTo("login as app with *** failed");
        assertThat(Secrets.redact("a b c", List.of("b"))).as("too short to tell from text").isEqualTo("a b c");
    }

    @Test
    void dropsNamedParametersFromAUrl() {
        assertThat(Secrets.withoutParameters("jdbc:postgresql://db/app?user=a&ssl=true&Password=b", "user", "password"))
                .isEqualTo("jdbc:postgresql://db/app?ssl=true");
        assertThat(Secrets.withoutParameters("jdbc:postgresql://db/app?user=a", "user")).isEqualTo("jdbc:postgresql://db/app");
        assertThat(Secrets.withoutParameters("jdbc:postgresql://db/app", "user")).isEqualTo("jdbc:postgresql://db/app");
    }
}
