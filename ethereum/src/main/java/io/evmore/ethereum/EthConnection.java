package io.evmore.ethereum;

import org.web3j.protocol.Web3j;
import org.web3j.protocol.Web3jService;

/** One pooled connection to an Ethereum endpoint: a web3j client and the transport it owns. */
public record EthConnection(Web3j web3j, Web3jService service, String endpointName) {}
