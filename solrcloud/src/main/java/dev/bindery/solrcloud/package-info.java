/**
 * The {@link dev.bindery.indexer.IndexBackend} contract over SolrCloud 9 (SolrJ 9.10.1): {@link
 * dev.bindery.solrcloud.SolrCloudBackend#connect} with a ZooKeeper address. The runtime class path
 * holds no Lucene at all (SolrJ is Lucene-free and the indexer's Lucene 10 is excluded); only the
 * tests bring Solr's Lucene 9 with the in-test cluster. See {@code docs/solrcloud.md}.
 */
package dev.bindery.solrcloud;
