package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {

    @Test
    void libpqUriBecomesAJdbcUrlWithoutCredentials() {
        PostgresUrl u = PostgresUrl.parse("postgresql://app:hunter2@db.example.com:5433/evmore?sslmode=require");

        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:5433/evmore?sslmode=require");
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("hunter2");
        assertThat(u.redacted()).isEqualTo("postgresql://app@db.example.com:5433/evmore");
        assertThat(u.toString()).doesNotContain("hunter2");
    }

    @Test
    void postgresSchemeAndDefaultsAreAccepted() {
        PostgresUrl u = PostgresUrl.parse("postgres://localhost/evmore");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost/evmore");
        assertThat(u.user()).isNull();
        assertThat(u.password()).isNull();
        assertThat(u.redacted()).isEqualTo("postgresql://localhost/evmore");
    }

    @Test
    void percentEncodedCredentialsAreDecodedAndPlusStaysPlus() {
        PostgresUrl u = PostgresUrl.parse("postgresql://us%40er:p%2Fa%3Ass+w%25rd@127.0.0.1:5432/d%20b");
        assertThat(u.user()).isEqualTo("us@er");
        assertThat(u.password()).isEqualTo("p/a:ss+w%rd");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/d%20b");
    }

    @Test
    void rawAtSignInThePasswordIsTolerated() {
        PostgresUrl u = PostgresUrl.parse("postgresql://app:p@ss@127.0.0.1/evmore");
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("p@ss");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/evmore");
    }

    @Test
    void libpqParametersAreTranslatedToPgjdbcOnes() {
        PostgresUrl u = PostgresUrl.parse("postgresql://h1:5432,h2:5433/evmore?application_name=relayer%201"
                + "&connect_timeout=5&target_session_attrs=read-write&sslmode=verify-full&sslrootcert=/etc/ca.pem");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://h1:5432,h2:5433/evmore?ApplicationName=relayer%201"
                + "&connectTimeout=5&targetServerType=primary&sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem");
    }

    @Test
    void credentialsInQueryParametersAreTakenOutOfTheUrl() {
        PostgresUrl u = PostgresUrl.parse("postgresql://127.0.0.1/evmore?user=app&password=hunter2&sslmode=disable");
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("hunter2");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/evmore?sslmode=disable").doesNotContain("hunter2");
    }

    @Test
    void jdbcUrlKeepsItsParametersButLosesTheCredentials() {
        PostgresUrl u = PostgresUrl.parse("jdbc:postgresql://[::1]:5432/evmore?user=app&password=hunter2&ssl=true");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5432/evmore?ssl=true");
        assertThat(u.user()).isEqualTo("app");
        assertThat(u.password()).isEqualTo("hunter2");
        assertThat(u.redacted()).isEqualTo("postgresql://app@[::1]:5432/evmore");
    }

    @Test
    void explicitCredentialsWinOverTheUrl() {
        PostgresUrl u = PostgresUrl.parse("postgresql://app:old@127.0.0.1/evmore").withCredentials("ops", "new");
        assertThat(u.user()).isEqualTo("ops");
        assertThat(u.password()).isEqualTo("new");
        assertThat(u.redacted()).isEqualTo("postgresql://ops@127.0.0.1/evmore");
        assertThat(PostgresUrl.parse("postgresql://app:old@127.0.0.1/evmore").withCredentials(null, null).password())
                .isEqualTo("old");
    }

    @Test
    void errorsNameThePartButNeverEchoTheValue() {
        // A raw '/' in the password breaks the URL; the error must not show any piece of it.
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://app:top/secret@127.0.0.1/evmore"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DATABASE_URL")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("top").doesNotContain("secret"));
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://app:pa%zzss@127.0.0.1/evmore"))
                .hasMessageContaining("percent-encoding in the password")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pa%zzss"));
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://app:s3cret@127.0.0.1:99999/evmore"))
                .hasMessageContaining("port")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cret"));
    }

    @Test
    void badInputsAreRejectedWithAClearMessage() {
        assertThatThrownBy(() -> PostgresUrl.parse("mysql://u:p@h/db")).hasMessageContaining("'mysql:'")
                .hasMessageContaining("postgresql://");
        assertThatThrownBy(() -> PostgresUrl.parse("  ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql:///evmore")).hasMessageContaining("no host");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://h/db?sslmode=maybe")).hasMessageContaining("sslmode");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://h/db?sslpassword=x"))
                .hasMessageContaining("unsupported parameter 'sslpassword'");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://h/db?connect_timeout=soon"))
                .hasMessageContaining("connect_timeout");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://h/db?sslmode=require&sslmode=disable"))
                .hasMessageContaining("repeats");
        assertThatThrownBy(() -> PostgresUrl.parse("postgresql://h/db?novalue")).hasMessageContaining("query parameter");
    }
}
