// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

/// @dev Emits arbitrary logs (any topics, any data) so tests can feed the event follower forged, malformed,
/// absurd or oversized HTLC events from a real node.
contract RogueEmitter {
    function emit4(bytes32 t0, bytes32 t1, bytes32 t2, bytes32 t3, bytes calldata data) external {
        bytes memory d = data;
        assembly {
            log4(add(d, 32), mload(d), t0, t1, t2, t3)
        }
    }

    function emit2(bytes32 t0, bytes32 t1, bytes calldata data) external {
        bytes memory d = data;
        assembly {
            log2(add(d, 32), mload(d), t0, t1)
        }
    }
}
