// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title TestCollateral
/// @notice Minimal 6-decimal ERC-20 standing in for USDC.e / pUSD on a local chain
///         (polymarket-protocol.md §7.1). Only the owner (the deployer) can mint.
/// @dev Test-only contract: no permit, no pausing, no blacklist.
contract TestCollateral {
    string public constant name = "Test USD Collateral";
    string public constant symbol = "tUSDC";
    uint8 public constant decimals = 6;

    address public immutable owner;
    uint256 public totalSupply;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    constructor() {
        owner = msg.sender;
    }

    /// @notice Mints `amount` base units (1e-6) to `to`; owner only.
    function mint(address to, uint256 amount) external {
        require(msg.sender == owner, "TestCollateral: not owner");
        require(to != address(0), "TestCollateral: mint to zero");
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            require(allowed >= amount, "TestCollateral: insufficient allowance");
            allowance[from][msg.sender] = allowed - amount;
        }
        _transfer(from, to, amount);
        return true;
    }

    function _transfer(address from, address to, uint256 amount) private {
        require(to != address(0), "TestCollateral: transfer to zero");
        uint256 bal = balanceOf[from];
        require(bal >= amount, "TestCollateral: insufficient balance");
        balanceOf[from] = bal - amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
