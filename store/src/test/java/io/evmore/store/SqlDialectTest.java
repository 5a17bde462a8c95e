package io.evmore.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.evmore.core.error.PermanentException;
import io.evmore.core.error.RelayerException;
import io.evmore.core.error.TransientException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlDialectTest {

    private static RelayerException pg(String state) {
        return SqlDialect.POSTGRES.translate(new SQLException("boom", state), "save cursor of osmosis-1",
                "postgresql://app@db/evmore", "pw");
    }

    @Test
    void postgresRetryableStatesBecomeTransient() {
        for (String state : new String[] {"08006", "08001", "40001", "40P01", "53300", "57P01", "55P03"}) {
            assertThat(pg(state)).as(state).isInstanceOf(TransientException.class);
        }
    }

    @Test
    void postgresConstraintAndSyntaxErrorsArePermanent() {
        for (String state : new String[] {"23505", "23503", "42P01", "22001", "28P01"}) {
            assertThat(pg(state)).as(state).isInstanceOf(PermanentException.class);
        }
    }

    @Test
    void poolTimeoutIsTransientWhateverTheState() {
        RelayerException e = SqlDialect.POSTGRES.translate(new SQLTransientConnectionException("pool exhausted"),
                "get a connection", "postgresql://db/evmore", null);
        assertThat(e).isInstanceOf(TransientException.class).hasMessageContaining("get a connection");
    }

    @Test
    void sqliteBusyAndLockedAreTransientConstraintIsPermanent() {
        assertThat(SqlDialect.SQLITE.translate(new SQLException("busy", null, 5), "commit", "sqlite:x", null))
                .isInstanceOf(TransientException.class);
        assertThat(SqlDialect.SQLITE.translate(new SQLException("busy snapshot", null, 517), "commit", "sqlite:x",
                null)).isInstanceOf(TransientException.class);
        assertThat(SqlDialect.SQLITE.translate(new SQLException("locked", null, 6), "commit", "sqlite:x", null))
                .isInstanceOf(TransientException.class);
        assertThat(SqlDialect.SQLITE.translate(new SQLException("unique", null, 2067), "insert", "sqlite:x", null))
                .isInstanceOf(PermanentException.class);
    }

    @Test
    void messageNamesOperationAndTargetAndScrubsThePassword() {
        SQLException leaky = new SQLException("auth failed for password hunter2", "28P01");
        RelayerException e = SqlDialect.POSTGRES.translate(leaky, "connect", "postgresql://app@db/evmore", "hunter2");

        assertThat(e.getMessage()).contains("connect").contains("postgresql://app@db/evmore").contains("28P01")
                .doesNotContain("hunter2");
        assertThat(e.getCause()).as("a cause that carries the password is dropped").isNull();
    }
}
