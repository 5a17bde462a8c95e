// Local Ethereum node for tests and the demo (`hardhat node`, started by io.evmore.devnet.ethereum.HardhatNode).
// Fixed chain id and the well-known development mnemonic, so accounts and keys are the same on every run.
// Contracts are compiled by contracts/ethereum/compile.js (solc-js), not by Hardhat.
module.exports = {
  solidity: '0.8.24',
  networks: {
    hardhat: {
      chainId: 31337,
      hardfork: 'cancun',
      accounts: {
        mnemonic: 'test test test test test test test test test test test junk',
        count: 20,
        accountsBalance: '10000000000000000000000', // 10,000 ETH each
      },
      mining: { auto: true, interval: 0 },
      loggingEnabled: false,
    },
  },
};
