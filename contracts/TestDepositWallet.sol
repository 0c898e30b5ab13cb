// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title TestDepositWallet
/// @notice Minimal stand-in for Polymarket's deposit wallets (signature type 3, POLY_1271; issue #8,
///         clob-v2-local-probe.md §2.4): a contract account whose owner EOA signs orders through the
///         ERC-7739 `TypedDataSign` wrapping that the official v2 client (clob-client-v2 1.1.0) builds, validated
///         by ERC-1271 `isValidSignature`. It can hold collateral and CTF positions and act through
///         `execute` (approvals, redeem). Test-only: no nonces, no batching, no upgradeability.
/// @dev Signature layout (any contents type, not only `Order`):
///      innerSig(65) ‖ appDomainSeparator(32) ‖ contentsHash(32) ‖ contentsType(n) ‖ uint16 n.
///      The inner ECDSA signature is over
///      keccak256("\x19\x01" ‖ appDomainSeparator ‖ hashStruct(TypedDataSign{contents, name "DepositWallet",
///      version "1", chainId = signedChainId, verifyingContract = this, salt = 0})).
contract TestDepositWallet {
    bytes4 private constant MAGIC = 0x1626ba7e;
    bytes4 private constant INVALID = 0xffffffff;
    bytes32 private constant NAME_HASH = keccak256("DepositWallet");
    bytes32 private constant VERSION_HASH = keccak256("1");
    /// secp256k1 n / 2: signatures with a larger `s` are malleable and refused.
    uint256 private constant HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice The EOA allowed to sign for and act through this wallet.
    address public immutable owner;
    /// @notice The chain id orders are signed for (the `TypedDataSign.chainId`). The local EVM runs as
    ///         1337 while the venue and its orders use Polygon's 137, so it is fixed at deployment
    ///         instead of read from `block.chainid`.
    uint256 public immutable signedChainId;

    constructor(address owner_, uint256 signedChainId_) {
        require(owner_ != address(0), "TestDepositWallet: zero owner");
        owner = owner_;
        signedChainId = signedChainId_;
    }

    receive() external payable {}

    /// @notice Calls `target` with `value` wei and `data` as this wallet; owner only. Bubbles up the
    ///         callee's revert reason.
    function execute(address target, uint256 value, bytes calldata data) external returns (bytes memory) {
        require(msg.sender == owner, "TestDepositWallet: not owner");
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly {
                revert(add(ret, 32), mload(ret))
            }
        }
        return ret;
    }

    /// @notice ERC-1271: returns 0x1626ba7e when `signature` is the owner's ERC-7739 nested
    ///         signature of `hash`, else 0xffffffff. Never reverts on a malformed signature.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        if (signature.length < 65 + 32 + 32 + 2) return INVALID;
        uint256 n = (uint256(uint8(signature[signature.length - 2])) << 8) |
            uint256(uint8(signature[signature.length - 1]));
        if (signature.length != 65 + 32 + 32 + n + 2) return INVALID;
        bytes32 appSeparator = bytes32(signature[65:97]);
        bytes32 contentsHash = bytes32(signature[97:129]);
        if (keccak256(abi.encodePacked("\x19\x01", appSeparator, contentsHash)) != hash) return INVALID;
        (bool ok, bytes32 digest) = _nestedDigest(appSeparator, contentsHash, signature[129:129 + n]);
        if (!ok) return INVALID;
        return _recover(digest, signature[0:65]) == owner ? MAGIC : INVALID;
    }

    /// @dev keccak256("\x19\x01" ‖ appSeparator ‖ hashStruct(TypedDataSign{…})) for this wallet.
    function _nestedDigest(bytes32 appSeparator, bytes32 contentsHash, bytes calldata contentsType)
        private
        view
        returns (bool, bytes32)
    {
        (bool found, bytes calldata contentsName) = _typeName(contentsType);
        if (!found) return (false, bytes32(0));
        bytes32 typeHash = keccak256(
            abi.encodePacked(
                "TypedDataSign(",
                contentsName,
                " contents,string name,string version,uint256 chainId,address verifyingContract,bytes32 salt)",
                contentsType
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(typeHash, contentsHash, NAME_HASH, VERSION_HASH, signedChainId, address(this), bytes32(0))
        );
        return (true, keccak256(abi.encodePacked("\x19\x01", appSeparator, structHash)));
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return this.onERC1155BatchReceived.selector;
    }

    /// @notice ERC-165: ERC-165 itself and ERC-1155 token receiver.
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x01ffc9a7 || interfaceId == 0x4e2312e0;
    }

    /// @dev The type name before the first '(' of an EIP-712 type string; not found when empty or absent.
    function _typeName(bytes calldata t) private pure returns (bool, bytes calldata) {
        for (uint256 i = 0; i < t.length; i++) {
            if (t[i] == "(") return (i > 0, t[0:i]);
        }
        return (false, t[0:0]);
    }

    /// @dev ecrecover of a 65-byte r ‖ s ‖ v signature; address(0) when malformed or malleable.
    function _recover(bytes32 digest, bytes calldata sig) private pure returns (address) {
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (v < 27) v += 27;
        if ((v != 27 && v != 28) || uint256(s) > HALF_N) return address(0);
        return ecrecover(digest, v, r, s);
    }
}
