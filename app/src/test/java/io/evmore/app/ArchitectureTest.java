package io.evmore.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies point inward (ARCHITECTURE.md): checked here, not left to review. A rule whose {@code that()} matches
 * no class passes vacuously, so every rule must match something ({@code archRule.failOnEmptyShould=true} in
 * {@code archunit.properties}; never {@code allowEmptyShould(true)}).
 */
class ArchitectureTest {
    static JavaClasses classes;

    @BeforeAll
    static void importProject() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                // Test fixtures shared as Maven test-jars are test code too.
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.evmore");
    }

    @Test
    void coreDependsOnTheJdkOnly() {
        classes().that().resideInAPackage("io.evmore.core..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("io.evmore.core..", "java..")
                .check(classes);
    }

    @Test
    void theEngineSendsTransactionsFromOnePlace() {
        // Exactly once: a swap's transactions are sent and reconciled only by Transactions, as SwapFlow drives it
        // (the intent persisted before signing, every signed transaction journaled before broadcast).
        noClasses().that().resideInAPackage("io.evmore.core..")
                .and().haveNameNotMatching("io\\.evmore\\.core\\.engine\\.(SwapFlow|Transactions)(\\$.*)?")
                .should().dependOnClassesThat().haveNameMatching("io\\.evmore\\.core\\.engine\\.Transactions(\\$.*)?")
                .check(classes);
    }

    @Test
    void onlyTheAppsTracingPackageKnowsOpenTelemetry() {
        // the engine reports through core's SwapTracing port; the chain adapters get trace headers through the pool
        noClasses().that().resideOutsideOfPackage("io.evmore.app.tracing..")
                .should().dependOnClassesThat().resideInAPackage("io.opentelemetry..")
                .check(classes);
    }

    @Test
    void nothingDependsOnTheApp() {
        noClasses().that().resideOutsideOfPackage("io.evmore.app..")
                .should().dependOnClassesThat().resideInAPackage("io.evmore.app..")
                .check(classes);
    }

    @Test
    void chainAdaptersDoNotKnowEachOther() {
        noClasses().that().resideInAPackage("io.evmore.ethereum..")
                .should().dependOnClassesThat().resideInAnyPackage("io.evmore.cosmos..", "io.evmore.proto..", "io.evmore.store..")
                .check(classes);
        noClasses().that().resideInAPackage("io.evmore.cosmos..")
                .should().dependOnClassesThat().resideInAnyPackage("io.evmore.ethereum..", "io.evmore.store..", "org.web3j.protocol..")
                .check(classes);
    }

    @Test
    void web3jStaysInTheEthereumAdapter() {
        noClasses().that().resideOutsideOfPackages("io.evmore.ethereum..", "io.evmore.cosmos..", "io.evmore.devnet..")
                .should().dependOnClassesThat().resideInAPackage("org.web3j..")
                .check(classes);
        // The Cosmos side may use web3j's BIP32/BIP39 key helpers (crypto) but never its Ethereum client.
        noClasses().that().resideOutsideOfPackage("io.evmore.ethereum..")
                .should().dependOnClassesThat().resideInAnyPackage("org.web3j.protocol..", "org.web3j.tx..")
                .check(classes);
    }

    @Test
    void theSecretsModuleKnowsNoChainStoreOrApp() {
        // Providers only: values leave it as strings for the app to hand to the signers; no chain library, no store.
        noClasses().that().resideInAPackage("io.evmore.secrets..")
                .should().dependOnClassesThat().resideInAnyPackage("io.evmore.core..", "io.evmore.ethereum..", "io.evmore.cosmos..",
                        "io.evmore.store..", "io.evmore.pool..", "io.evmore.app..", "org.web3j..")
                .check(classes);
    }

    @Test
    void storeAndPoolKnowNoChainLibrary() {
        noClasses().that().resideInAnyPackage("io.evmore.store..", "io.evmore.pool..")
                .should().dependOnClassesThat().resideInAnyPackage("org.web3j..", "com.google.protobuf..", "io.evmore.proto..",
                        "io.evmore.ethereum..", "io.evmore.cosmos..")
                .check(classes);
    }

    @Test
    void theDevnetsModulesDoNotKnowTheChainThatRunsThem() {
        // The devnet's wasm and IBC transfer modules see the chain through the narrow ChainContext it hands them,
        // never the chain class, directly or through anything else: CosmosChain depends on them, so the other way
        // round would be an import circle. IbcRelayer is outside the circle: it drives the chains from outside, as a
        // real relayer does, and nothing in the chain reaches it.
        noClasses().that().resideInAnyPackage("io.evmore.devnet.wasm..", "io.evmore.devnet.ibc..")
                .and().haveNameNotMatching("io\\.evmore\\.devnet\\.ibc\\.IbcRelayer(\\$.*)?")
                .should().transitivelyDependOnClassesThat().haveNameMatching("io\\.evmore\\.devnet\\.chain\\.CosmosChain(\\$.*)?")
                .check(classes);
    }

    @Test
    void theDevnetStopsProcessTreesInOnePlace() {
        // The Hardhat node, the wasmd nodes and Hermes run as ChildProcess: one sh wrapper tying them to this JVM, one
        // stop that signals the tree it started, by pid (never by name). Nothing else in the devnet handles process trees.
        noClasses().that().resideInAPackage("io.evmore.devnet..")
                .and().haveNameNotMatching("io\\.evmore\\.devnet\\.process\\.ChildProcess(\\$.*)?")
                .should().dependOnClassesThat().belongToAnyOf(ProcessHandle.class)
                .check(classes);
    }

    @Test
    void theCommandsRefuseBadOptionsInOnePlace() {
        // A bad option value ends as an unknown option does (one line naming it, exit 2): the commands check through
        // OptionChecks, which raises picocli's ParameterException for EvmoreCli's one handler.
        noClasses().that().resideInAPackage("io.evmore.app.cli..")
                .and().haveNameNotMatching("io\\.evmore\\.app\\.cli\\.(OptionChecks|EvmoreCli)(\\$.*)?")
                .should().dependOnClassesThat().belongToAnyOf(picocli.CommandLine.ParameterException.class)
                .orShould().callMethod(io.evmore.devnet.DevnetMain.class, "parseBlockInterval", String.class)
                .check(classes);
    }
}
