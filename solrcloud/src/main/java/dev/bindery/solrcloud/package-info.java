/**
 * The {@link dev.bindery.indexer.IndexBackend} contract over SolrCloud. Lands with the SolrCloud
 * issue; this module already builds against the contract without the embedded backend's Lucene 10.
 */
package dev.bindery.solrcloud;
