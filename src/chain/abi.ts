/**
 * Human-readable ABI fragments of the calls and events the trader uses. They match both the
 * deployed Gnosis ConditionalTokens / USDC.e / pUSD on Polygon (polymarket-protocol.md §7.4–§7.6)
 * and the test contracts in `contracts/`, so the same reader works on chain 137 and on a local chain.
 */

/** ConditionalTokens (ERC-1155) fragments: ids, balances, approvals, resolution, redeem. */
export const CTF_ABI = [
  'function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount) pure returns (bytes32)',
  'function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet) view returns (bytes32)',
  'function getPositionId(address collateralToken, bytes32 collectionId) pure returns (uint256)',
  'function getOutcomeSlotCount(bytes32 conditionId) view returns (uint256)',
  'function payoutNumerators(bytes32 conditionId, uint256 index) view returns (uint256)',
  'function payoutDenominator(bytes32 conditionId) view returns (uint256)',
  'function balanceOf(address owner, uint256 id) view returns (uint256)',
  'function balanceOfBatch(address[] owners, uint256[] ids) view returns (uint256[])',
  'function isApprovedForAll(address owner, address operator) view returns (bool)',
  'function setApprovalForAll(address operator, bool approved)',
  'function redeemPositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] indexSets)',
  'event PayoutRedemption(address indexed redeemer, address indexed collateralToken, bytes32 indexed parentCollectionId, bytes32 conditionId, uint256[] indexSets, uint256 payout)',
  'event ConditionResolution(bytes32 indexed conditionId, address indexed oracle, bytes32 indexed questionId, uint256 outcomeSlotCount, uint256[] payoutNumerators)',
] as const;

/** ERC-20 collateral fragments (USDC.e, pUSD, TestCollateral; all 6 decimals). */
export const ERC20_ABI = [
  'function balanceOf(address owner) view returns (uint256)',
  'function allowance(address owner, address spender) view returns (uint256)',
  'function approve(address spender, uint256 amount) returns (bool)',
  'function decimals() view returns (uint8)',
] as const;

/** Index sets of the two outcomes of an up/down condition: Up = 1 (slot 0), Down = 2 (slot 1) (§7.4). */
export const UP_DOWN_INDEX_SETS = [1n, 2n] as const;

/** The root parent collection id (no nesting), bytes32 zero (§7.4, §7.6). */
export const ROOT_COLLECTION_ID = `0x${'00'.repeat(32)}`;
