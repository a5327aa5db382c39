/** Protocol adapters: turn a database's wire requests into normalized operations and apply obligations to its messages, with no server types in their signatures. */
package io.vectorgate.proxy.adapter;
