// SPDX-License-Identifier: MIT
pragma solidity 0.8.24;

import "../dev/DevToken.sol";

/// @dev The local chains' DevToken for tests, but anyone may mint; `_move` stays overridable (FeeOnTransferToken).
contract TestToken is DevToken {
    function mint(address to, uint256 amount) external override {
        _mint(to, amount);
    }
}
